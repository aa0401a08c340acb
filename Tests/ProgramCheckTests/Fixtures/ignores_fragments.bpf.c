// SPDX-License-Identifier: GPL-2.0
// Test fixture: forgets the fragment check, so the first fragment of a datagram to a validator port is
// claimed, and later fragments whose data looks like a UDP header to one are claimed too.
#include "../../../Labs/programs/include/validator_claim.h"

// The bug: a second IPv4 parser, the header's without its fragment test, for what the header refuses.
static __always_inline struct udphdr *udp4_any_fragment(void *data, void *data_end)
{
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->version != 4 || ip->ihl < 5
        || ip->protocol != IPPROTO_UDP)
        return NULL;
    struct udphdr *udp = (void *)ip + ip->ihl * 4;
    return (void *)(udp + 1) > data_end ? NULL : udp;
}

SEC("xdp")
int ignores_fragments(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct udphdr *udp = claimable_udp(data, data_end);
    if (!udp)
        udp = udp4_any_fragment(data, data_end);
    if (!udp || !is_validator_port(udp))
        return XDP_PASS;
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}
