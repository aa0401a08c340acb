// SPDX-License-Identifier: GPL-2.0
// BUG: one wrong return value. Every frame is dropped, SSH and ARP included: the machine is gone from the network
// until something takes the program off the interface. Recovery drills break the network with it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop_all(struct xdp_md *ctx)
{
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
