// SPDX-License-Identifier: GPL-2.0
// The XDP program of the example stack: hands UDP datagrams for the validator ports to the AF_XDP socket of
// the queue they arrived on, and leaves every other frame to the kernel (SSH, ARP, ICMP, other ports, ...).
//
// Self-contained on purpose: a team can copy this file alone. It follows the same map contract as xdplab's
// own programs, so xdplab can drive it: `xsks_map` (queue -> socket) and `validator_ports` (port -> 1).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// One AF_XDP socket per RX queue, at key = queue id. User space writes the socket fds.
struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u32);
} xsks_map SEC(".maps");

// validator_ports[port] == 1 for each UDP destination port (host byte order) the stack claims.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, __u8);
} validator_ports SEC(".maps");

// What bpf_redirect_map returns when the queue's slot is empty (no socket registered yet, or the stack died):
// its low two bits. XDP_PASS lets the kernel have the packet; 0 means XDP_ABORTED, i.e. a drop. The loader
// sets it before load (it lives in .rodata, so the verifier sees a constant). Never rely on a negative return:
// bpf_redirect_map does not return one.
const volatile __u64 fallback_flags = XDP_PASS;

#define IPV4_MORE_FRAGMENTS 0x2000
#define IPV4_FRAGMENT_OFFSET 0x1fff

// The UDP header of an untagged IPv4 or IPv6 frame we may claim, or NULL. Each read is checked against
// data_end first: the verifier insists, and a short frame must not be misread.
static __always_inline struct udphdr *udp_header(void *data, void *data_end)
{
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return NULL;

    // A VLAN tag shows up as h_proto 802.1Q/802.1ad: not ours, the kernel handles it.
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->ihl < 5)
            return NULL;
        // A fragment is not a whole datagram (later ones do not even carry the UDP header): kernel's job.
        if (ip->frag_off & bpf_htons(IPV4_MORE_FRAGMENTS | IPV4_FRAGMENT_OFFSET))
            return NULL;
        if (ip->protocol != IPPROTO_UDP)
            return NULL;
        // ihl counts 32-bit words, so IPv4 options are skipped, not mistaken for UDP.
        struct udphdr *udp = (void *)ip + ip->ihl * 4;
        if ((void *)(udp + 1) > data_end)
            return NULL;
        return udp;
    }
    if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = (void *)(eth + 1);
        if ((void *)(ip6 + 1) > data_end)
            return NULL;
        // UDP must follow the fixed header directly; with extension headers (fragments included) we pass.
        if (ip6->nexthdr != IPPROTO_UDP)
            return NULL;
        struct udphdr *udp = (void *)(ip6 + 1);
        if ((void *)(udp + 1) > data_end)
            return NULL;
        return udp;
    }
    return NULL;
}

SEC("xdp")
int example_redirect(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;

    struct udphdr *udp = udp_header(data, data_end);
    if (!udp)
        return XDP_PASS;

    __u32 port = bpf_ntohs(udp->dest);
    __u8 *claimed = bpf_map_lookup_elem(&validator_ports, &port);
    if (!claimed || !*claimed)
        return XDP_PASS;

    // The socket for this packet is the one bound to the queue it arrived on: a socket bound to another
    // queue would make the redirect fail (and drop the packet) whatever the fallback flags say.
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, fallback_flags);
}

char LICENSE[] SEC("license") = "GPL";
