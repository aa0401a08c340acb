// SPDX-License-Identifier: GPL-2.0
// tc clsact egress program for the sender side of a lab link.
//
// A frame whose skb->mark is STEER_BASE | q leaves on TX queue q: the program records q + 1 in
// queue_mapping, which the kernel's queue pick (skb_tx_hash) reads as "recorded queue q". On veth
// the frame then arrives on RX queue q of the peer, so traffic can be aimed at one AF_XDP socket.
// Frames without the mark keep the kernel's own choice.
//
// steer_to_next_tx_queue is for netdevsim: its peer receives the skb with the TX queue still in queue_mapping,
// which generic XDP reads as "recorded RX queue + 1", so RX queue q is reached through TX queue q + 1.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define STEER_BASE 0x58440000u   /* "XD" in the high half; must match QueueSteering.markBase */
#define STEER_MASK 0xffff0000u

SEC("tc")
int steer_by_mark(struct __sk_buff *skb)
{
    __u32 mark = skb->mark;

    if ((mark & STEER_MASK) == STEER_BASE)
        skb->queue_mapping = (mark & 0xffffu) + 1;
    return TC_ACT_OK;
}

SEC("tc")
int steer_to_next_tx_queue(struct __sk_buff *skb)
{
    __u32 mark = skb->mark;

    if ((mark & STEER_MASK) == STEER_BASE)
        skb->queue_mapping = (mark & 0xffffu) + 2;
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
