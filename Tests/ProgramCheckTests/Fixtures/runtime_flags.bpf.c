// SPDX-License-Identifier: GPL-2.0
// Test fixture: correct verdicts, but the bpf_redirect_map flags come from a global variable, so only a
// run can tell what an empty slot gives; the lint says "computed at run time".
#include "../../../Labs/programs/include/validator_claim.h"

__u64 fallback_flags = XDP_PASS;

SEC("xdp")
int runtime_flags(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, fallback_flags);
}
