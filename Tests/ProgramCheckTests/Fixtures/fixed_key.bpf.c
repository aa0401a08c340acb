// SPDX-License-Identifier: GPL-2.0
// Test fixture: the fixed_key_redirect incident. Every matching frame goes to the socket in slot 0, whatever
// queue it arrived on; on other queues the redirect fails later (-EINVAL) and drops the frame, and a test run
// sees slot 0 empty there.
#include "../../../Labs/programs/incidents/fixed_key_redirect.bpf.c"
