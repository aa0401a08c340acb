// SPDX-License-Identifier: GPL-2.0
// Test fixture: the redirect_flags0 incident, bpf_redirect_map flags 0. An empty xsks_map slot then returns
// XDP_ABORTED, so every matching frame on a queue without a socket is dropped.
#include "../../../Labs/programs/incidents/redirect_flags0.bpf.c"
