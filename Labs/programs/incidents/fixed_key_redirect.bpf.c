// SPDX-License-Identifier: GPL-2.0
// BUG: redirects to XSKMAP key 0 whatever the arrival queue. A frame from queue 1 then meets the socket bound to
// queue 0, and the kernel drops it with -EINVAL (xdp:xdp_redirect_err), XDP_PASS in the flags notwithstanding.
#include "../include/validator_claim.h"

SEC("xdp")
int fixed_key_redirect(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;
    return bpf_redirect_map(&xsks_map, 0, XDP_PASS);
}
