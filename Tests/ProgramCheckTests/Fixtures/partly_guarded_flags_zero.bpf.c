// SPDX-License-Identifier: GPL-2.0
// Test fixture: a lookup of the right slot, but only on one path. Frames to port 8003 are passed when the
// slot is empty; frames to the other validator ports reach the flags-0 call without any lookup, so an empty
// slot aborts them. The lint must keep reporting the call.
#include "../../../Labs/programs/include/validator_claim.h"

SEC("xdp")
int partly_guarded(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u32 index = ctx->rx_queue_index;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;
    if (udp->dest == bpf_htons(8003) && !bpf_map_lookup_elem(&xsks_map, &index))
        return XDP_PASS;
    return bpf_redirect_map(&xsks_map, index, 0);
}
