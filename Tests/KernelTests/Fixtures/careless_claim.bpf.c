// SPDX-License-Identifier: GPL-2.0
// Test fixture: a validator-port filter with one parser shortcut, chosen when it is compiled. Each shortcut
// makes it claim frames that the program contract leaves to the kernel (the traffic class that carries them):
//   -DSKIPS_VLAN_TAGS=1          walks past 802.1Q and 802.1ad tags as if they were not there (vlan-tagged, qinq)
//   -DSKIPS_EXTENSION_HEADERS=1  walks past IPv6 hop-by-hop and destination options (ipv6-ext-headers)
//   -DIGNORES_FRAGMENTS=1        no IPv4 fragment test, and walks past an IPv6 Fragment header
//                                (ipv4-fragments, ipv6-fragments)
//   -DCHECKS_ONLY_PORTS=1        bounds-checks the 4 bytes of ports it reads, not the 8-byte UDP header (truncated)
//   -DPORT_SPAN_LOW=A -DPORT_SPAN_HIGH=B
//                                claims every port from A to B instead of looking each up in validator_ports,
//                                so the gaps between ranges of validator ports are claimed too (other-udp4/6)
// Built without any, it is a correct program: everything it does not claim gets XDP_PASS, and what it claims
// goes to the socket of the queue it arrived on.
#include "../../../Labs/programs/include/validator_claim.h"

struct vlan_tag {
    __be16 tci;
    __be16 proto;
};

#ifdef CHECKS_ONLY_PORTS
#define UDP_BYTES_CHECKED 4
#else
#define UDP_BYTES_CHECKED sizeof(struct udphdr)
#endif

static __always_inline struct udphdr *careless_udp(void *data, void *data_end)
{
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return NULL;
    void *cursor = eth + 1;
    __be16 proto = eth->h_proto;
#ifdef SKIPS_VLAN_TAGS
    for (int i = 0; i < 2; i++) {
        if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
            break;
        struct vlan_tag *tag = cursor;
        if ((void *)(tag + 1) > data_end)
            return NULL;
        proto = tag->proto;
        cursor = tag + 1;
    }
#endif
    __u8 next;
    if (proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = cursor;
        if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->ihl < 5)
            return NULL;
#ifndef IGNORES_FRAGMENTS
        if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET))
            return NULL;
#endif
        next = ip->protocol;
        cursor = (void *)ip + ip->ihl * 4;
    } else if (proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = cursor;
        if ((void *)(ip6 + 1) > data_end)
            return NULL;
        next = ip6->nexthdr;
        cursor = ip6 + 1;
#if defined(SKIPS_EXTENSION_HEADERS) || defined(IGNORES_FRAGMENTS)
        for (int i = 0; i < 3; i++) {
            struct ipv6_opt_hdr *ext = cursor;
            if ((void *)ext + 8 > data_end)
                return NULL;
#ifdef SKIPS_EXTENSION_HEADERS
            if (next == IPPROTO_HOPOPTS || next == IPPROTO_DSTOPTS) {
                next = ext->nexthdr;
                cursor += (ext->hdrlen + 1) * 8;
                continue;
            }
#endif
#ifdef IGNORES_FRAGMENTS
            if (next == IPPROTO_FRAGMENT) {
                next = ext->nexthdr;
                cursor += 8;
                continue;
            }
#endif
            break;
        }
#endif
    } else {
        return NULL;
    }
    if (next != IPPROTO_UDP)
        return NULL;
    struct udphdr *udp = cursor;
    if ((void *)udp + UDP_BYTES_CHECKED > data_end)
        return NULL;
    return udp;
}

static __always_inline int claims_port(__u32 port)
{
#ifdef PORT_SPAN_LOW
    return port >= PORT_SPAN_LOW && port <= PORT_SPAN_HIGH;
#else
    __u8 *wanted = bpf_map_lookup_elem(&validator_ports, &port);
    return wanted && *wanted;
#endif
}

SEC("xdp")
int careless_claim(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct udphdr *udp = careless_udp(data, data_end);
    if (!udp || !claims_port(bpf_ntohs(udp->dest)))
        return XDP_PASS;
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}
