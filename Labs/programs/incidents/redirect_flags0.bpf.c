// SPDX-License-Identifier: GPL-2.0
// BUG: bpf_redirect_map(…, 0). When the XSKMAP slot of the arrival queue is empty (no socket on that queue,
// or not registered yet) the helper returns its flags, 0, which is XDP_ABORTED: the frame is dropped.
#include "../include/validator_claim.h"

SEC("xdp")
int redirect_flags0(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, 0);
}
