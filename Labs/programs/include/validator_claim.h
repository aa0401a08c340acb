// SPDX-License-Identifier: GPL-2.0
// What every xdplab stack program shares: the two maps of the program contract and the parser that decides
// whether a frame is one the AF_XDP application may claim. The reference program and each incident program
// include it, so the only difference between a correct and a buggy program is the few lines that hold the bug.
#pragma once
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// One AF_XDP socket per RX queue, at key = queue id. User space fills it.
struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u32);
} xsks_map SEC(".maps");

// validator_ports[port] == 1 for each UDP destination port to claim (host byte order).
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, __u8);
} validator_ports SEC(".maps");

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

// The UDP header if the frame is one we may claim, else NULL. Every read is bounds-checked against data_end.
static __always_inline struct udphdr *claimable_udp(void *data, void *data_end)
{
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return NULL;

    // 802.1Q / 802.1ad tags show up here as ETH_P_8021Q / ETH_P_8021AD: not ours.
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->ihl < 5)
            return NULL;
        // Only the first fragment carries the UDP header, and even it is not a whole datagram.
        if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET))
            return NULL;
        if (ip->protocol != IPPROTO_UDP)
            return NULL;
        struct udphdr *udp = (void *)ip + ip->ihl * 4;   // honours IPv4 options
        if ((void *)(udp + 1) > data_end)
            return NULL;
        return udp;
    }
    if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = (void *)(eth + 1);
        if ((void *)(ip6 + 1) > data_end)
            return NULL;
        // UDP must follow directly; extension headers (fragment, hop-by-hop, …) are not matching.
        if (ip6->nexthdr != IPPROTO_UDP)
            return NULL;
        struct udphdr *udp = (void *)(ip6 + 1);
        if ((void *)(udp + 1) > data_end)
            return NULL;
        return udp;
    }
    return NULL;
}

// True when the UDP destination port is one of the validator ports.
static __always_inline int is_validator_port(struct udphdr *udp)
{
    __u32 port = bpf_ntohs(udp->dest);
    __u8 *wanted = bpf_map_lookup_elem(&validator_ports, &port);
    return wanted && *wanted;
}

char LICENSE[] SEC("license") = "GPL";
