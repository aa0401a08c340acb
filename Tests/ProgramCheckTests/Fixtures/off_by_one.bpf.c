// SPDX-License-Identifier: GPL-2.0
// Test fixture: a hard-coded port range one too long (8003-8006 instead of the validator ports 8003-8005)
// in place of the validator_ports lookup: UDP to 8006 is claimed although the kernel must see it.
#include "../../../Labs/programs/include/validator_claim.h"

SEC("xdp")
int off_by_one(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp)
        return XDP_PASS;
    __u32 port = bpf_ntohs(udp->dest);
    if (port < 8003 || port > 8006)
        return XDP_PASS;
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}
