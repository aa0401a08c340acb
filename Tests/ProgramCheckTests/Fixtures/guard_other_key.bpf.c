// SPDX-License-Identifier: GPL-2.0
// Test fixture: a guard on the wrong slot. The lookup asks whether slot 0 holds a socket, the redirect goes
// to the slot of the frame's own queue with flags 0; on a queue whose slot is empty while slot 0 is filled,
// the frame is aborted. The lint must keep reporting the call.
#include "../../../Labs/programs/include/validator_claim.h"

SEC("xdp")
int guard_other_key(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u32 first = 0;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;
    if (bpf_map_lookup_elem(&xsks_map, &first))
        return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, 0);
    return XDP_PASS;
}
