// SPDX-License-Identifier: GPL-2.0
// BUG: UDP to a port that is not a validator port returns -2, which the incident report assumed would "let the
// kernel have it". No such XDP action exists: the kernel treats any value outside 0..4 as XDP_ABORTED.
#include "../include/validator_claim.h"

SEC("xdp")
int illegal_return(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp)
        return XDP_PASS;
    if (!is_validator_port(udp))
        return -2;
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}
