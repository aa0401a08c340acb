// SPDX-License-Identifier: GPL-2.0
// Test fixture: a syntax error, so clang fails and the check reports bad input.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int does_not_compile(struct xdp_md *ctx)
{
    return XDP_PASS
}
