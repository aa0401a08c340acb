// SPDX-License-Identifier: GPL-2.0
// BUG: the "fix" for flags 0 that tests the helper's result for < 0 and passes the frame then. It can never be
// true: on a failed lookup bpf_redirect_map returns flags & 3 (here 0, XDP_ABORTED), never a negative errno,
// so frames are still dropped. The verifier knows the helper's range and removes the branch as dead code.
#include "../include/validator_claim.h"

SEC("xdp")
int r0_negative_check(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;
    long verdict = bpf_redirect_map(&xsks_map, ctx->rx_queue_index, 0);
    if (verdict < 0)
        return XDP_PASS;
    return verdict;
}
