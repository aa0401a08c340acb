// SPDX-License-Identifier: GPL-2.0
// Test fixture: breaks xdplab's contract. Its xsks_map is a DEVMAP, not an XSKMAP, so no AF_XDP socket
// can ever be registered in it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32);
} xsks_map SEC(".maps");

SEC("xdp")
int wrong_map_type(struct xdp_md *ctx)
{
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
