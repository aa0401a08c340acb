/* Stand-in for a real XDP program: the lab-model tests only need the file to exist. */
