// SPDX-License-Identifier: GPL-2.0
// BUG: "only IP matters here" — every frame that is neither IPv4 nor IPv6 is dropped, ARP included. Sessions keep
// working on cached neighbour entries, then stall the moment an entry must be resolved again.
#include "../include/validator_claim.h"

SEC("xdp")
int drop_non_ip(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_DROP;
    if (eth->h_proto != bpf_htons(ETH_P_IP) && eth->h_proto != bpf_htons(ETH_P_IPV6))
        return XDP_DROP;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}
