// SPDX-License-Identifier: GPL-2.0
// Test fixture: the reference filter plus one test that drops ARP: neighbours can no longer resolve the
// host, and every session to it dies once their ARP entries expire.
#include "../../../Labs/programs/include/validator_claim.h"

SEC("xdp")
int drops_arp(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct ethhdr *eth = data;
    if ((void *)(eth + 1) <= data_end && eth->h_proto == bpf_htons(ETH_P_ARP))
        return XDP_DROP;
    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}
