// SPDX-License-Identifier: GPL-2.0
// Test fixture: a classic AF_XDP bug. Every UDP frame to a validator port goes to the socket at key 0,
// whatever queue it arrived on, and the flags argument 0 makes an empty slot return XDP_ABORTED.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u32);
} xsks_map SEC(".maps");

// A hash with 2-byte keys, to exercise the other validator_ports layout the stack accepts.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u16);
    __type(value, __u8);
} validator_ports SEC(".maps");

SEC("xdp")
int fixed_key(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    struct udphdr *udp = (void *)(ip + 1);   // no options in the test's frames
    if ((void *)(udp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP)
        return XDP_PASS;
    __u16 port = bpf_ntohs(udp->dest);
    if (!bpf_map_lookup_elem(&validator_ports, &port))
        return XDP_PASS;
    return bpf_redirect_map(&xsks_map, 0, 0);
}

char LICENSE[] SEC("license") = "GPL";
