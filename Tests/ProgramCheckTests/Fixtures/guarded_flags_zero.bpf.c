// SPDX-License-Identifier: GPL-2.0
// Test fixture: the AF_XDP pattern of the xdp-tutorial. flags 0, but the call is reached only after a lookup
// of the same xsks_map slot found a socket there, so an empty slot passes the frame (the last return). The
// lint must say the call is guarded, not that an empty slot gives XDP_ABORTED, and `xdplab check` passes it.
#include "../../../Labs/programs/include/validator_claim.h"

SEC("xdp")
int guarded_flags_zero(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u32 index = ctx->rx_queue_index;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;
    if (bpf_map_lookup_elem(&xsks_map, &index))
        return bpf_redirect_map(&xsks_map, index, 0);
    return XDP_PASS;
}
