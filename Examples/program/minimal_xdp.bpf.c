// SPDX-License-Identifier: GPL-2.0
// The smallest XDP program that keeps xdplab's program contract (docs/program-contract.md): it hands UDP
// datagrams to the listed ports to the AF_XDP socket of the RX queue they arrived on, and everything else to
// the kernel. Build: clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c minimal_xdp.bpf.c
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// One AF_XDP socket per RX queue, at key = queue id; the loader (xdplab, or your stack) writes the sockets in.
struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, 64);            // at least the interface's RX queue count
    __type(key, __u32);
    __type(value, __u32);
} xsks_map SEC(".maps");

// validator_ports[port] != 0 for each UDP destination port to claim, port in host byte order.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, __u8);
} validator_ports SEC(".maps");

// The UDP header of a frame the application may claim, or NULL: untagged Ethernet, IPv4 (options allowed) or
// IPv6 without extension headers, not a fragment, UDP, and the whole UDP header inside the frame.
static __always_inline struct udphdr *udp_header(void *data, void *end)
{
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return NULL;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl < 5 || ip->protocol != IPPROTO_UDP)
            return NULL;
        if (ip->frag_off & bpf_htons(0x3fff))          // more fragments, or a fragment offset
            return NULL;
        struct udphdr *udp = (void *)ip + ip->ihl * 4;
        return (void *)(udp + 1) > end ? NULL : udp;
    }
    if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = (void *)(eth + 1);
        if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)   // any extension header: not ours
            return NULL;
        struct udphdr *udp = (void *)(ip6 + 1);
        return (void *)(udp + 1) > end ? NULL : udp;
    }
    return NULL;                                        // ARP, VLAN tags, everything else
}

SEC("xdp")
int minimal_xdp(struct xdp_md *ctx)
{
    struct udphdr *udp = udp_header((void *)(long)ctx->data, (void *)(long)ctx->data_end);
    if (!udp)
        return XDP_PASS;
    __u32 port = bpf_ntohs(udp->dest);
    __u8 *wanted = bpf_map_lookup_elem(&validator_ports, &port);
    if (!wanted || !*wanted)
        return XDP_PASS;
    // XDP_PASS as flags: with no socket in this queue's slot, the frame goes on to the kernel.
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
