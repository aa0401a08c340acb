// libpcap alone: see CLibBPF/shim.h for why the two are apart.
#include <pcap/pcap.h>
