// SPDX-License-Identifier: GPL-2.0
// BUG: the "fix" for flags 0 that tests the helper's result for < 0 and passes the frame then. It can never be
// true: on a failed lookup bpf_redirect_map returns flags & 3 (here 0, XDP_ABORTED), never a negative errno,
// so frames are still dropped. `xdplab run` shows the test in the object and whether the kernel's translated
// program still carries it (on Linux 6.18 it does: the verifier does not narrow this helper's result).
#include "../include/validator_claim.h"

// How often the "fix" fired. Its own code path, so the translated program shows whether that path survives.
__u64 negative_results = 0;

SEC("xdp")
int r0_negative_check(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;
    long verdict = bpf_redirect_map(&xsks_map, ctx->rx_queue_index, 0);
    if (verdict < 0) {
        __sync_fetch_and_add(&negative_results, 1);
        return XDP_PASS;
    }
    return verdict;
}
