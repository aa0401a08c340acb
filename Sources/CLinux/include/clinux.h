#pragma once
// glibc calls that need _GNU_SOURCE, which Swift's Glibc module does not enable.
#include <stdint.h>

/// Enters the network namespace behind `fd` (setns with CLONE_NEWNET), for the calling thread only.
int clinux_setns_net(int fd);
