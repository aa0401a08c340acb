// SPDX-License-Identifier: GPL-2.0
// map_ring.h: an XDP receiver that hands UDP payloads to user space through a BPF array map used as a ring.
//
// Everything of map_ring.bpf.c (the fixed ring) and map_ring_overwrite.bpf.c (the published bug) lives here;
// the two programs differ in one argument: what to do with the write index when the ring is full.
//
// Layout, shared with xdplab's MapRing poller (Sources/MapRing/MapRingLayout.swift):
//   ring_slots   BPF_MAP_TYPE_ARRAY, BPF_F_MMAPABLE, MAP_RING_SLOTS entries of struct map_ring_slot.
//                User space maps it and consumes slot[read % MAP_RING_SLOTS] when valid == 1, then sets 0.
//   ring_control BPF_MAP_TYPE_ARRAY, 1 entry: the write index under a bpf_spin_lock, and counters.
//                It cannot be memory-mapped: the kernel refuses mmap of any map whose value holds a
//                bpf_spin_lock (bpf_map_mmap returns -ENOTSUPP), so the lock and the ring are two maps.
//                User space reads it with bpf_map_lookup_elem_flags(BPF_F_LOCK).
// The read index lives in user space only: neither program looks at it. The fixed ring needs nothing but
// the slot's own flag to know the slot is still unconsumed.
//
// Configuration: the global `ring_port` (UDP destination port, host order), set before loading
// (libbpf: the .rodata initial value; xdplab: BPFObject.setGlobal). 0, the default, claims nothing.
// Ring size: compile with -DMAP_RING_SLOTS=N (default 64).
//
// Verdicts: a claimed packet ends in the ring (stored) or is dropped (ring full, or the slot race lost
// MAP_RING_CLAIM_ATTEMPTS times); both are XDP_DROP, the kernel never sees claimed packets. Everything
// else, including every frame that cannot be parsed, is XDP_PASS.
#pragma once
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef MAP_RING_SLOTS
#define MAP_RING_SLOTS 64
#endif
// Payload bytes kept per packet: a sequence payload (24) and a packet tag (16) fit. A power of two.
#define MAP_RING_DATA_MAX 64
_Static_assert((MAP_RING_DATA_MAX & (MAP_RING_DATA_MAX - 1)) == 0, "MAP_RING_DATA_MAX must be a power of two");
#define MAP_RING_CLAIM_ATTEMPTS 4

// valid: 0 free, 1 holds an unconsumed packet, 2 claimed by a writer that is still copying.
#define MAP_RING_SLOT_FREE 0
#define MAP_RING_SLOT_VALID 1
#define MAP_RING_SLOT_CLAIMED 2

struct map_ring_slot {
    __u32 valid;
    __u32 len;          // payload bytes in data
    __u64 arrival_ns;   // bpf_ktime_get_ns (CLOCK_MONOTONIC) when XDP saw the packet
    __u8 data[MAP_RING_DATA_MAX];
};

struct map_ring_control {
    struct bpf_spin_lock lock;
    __u32 reserved;
    __u64 write_index;        // slots handed out so far; the next packet goes to write_index % MAP_RING_SLOTS
    __u64 stored;             // packets put into the ring
    __u64 full_drops;         // dropped: the slot at the write index was still unconsumed
    __u64 contention_drops;   // dropped: other CPUs kept taking the slot first
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(map_flags, BPF_F_MMAPABLE);
    __uint(max_entries, MAP_RING_SLOTS);
    __type(key, __u32);
    __type(value, struct map_ring_slot);
} ring_slots SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct map_ring_control);
} ring_control SEC(".maps");

const volatile __u16 ring_port = 0;

enum map_ring_when_full {
    MAP_RING_KEEP_WRITE_INDEX,      // the fix: drop, and the next packet tries the same slot again
    MAP_RING_ADVANCE_WRITE_INDEX,   // the bug: drop, yet move on, so the writer runs ahead of the reader
};

#define MAP_RING_IP_MF 0x2000
#define MAP_RING_IP_OFFSET 0x1fff

// The UDP header of an untagged IPv4 (options allowed, not a fragment) or IPv6 (no extension header)
// datagram, else NULL.
static __always_inline struct udphdr *map_ring_udp(void *data, void *data_end)
{
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return NULL;
    struct udphdr *udp = NULL;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->ihl < 5 || ip->protocol != IPPROTO_UDP)
            return NULL;
        if (ip->frag_off & bpf_htons(MAP_RING_IP_MF | MAP_RING_IP_OFFSET))
            return NULL;
        udp = (void *)ip + ip->ihl * 4;
    } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = (void *)(eth + 1);
        if ((void *)(ip6 + 1) > data_end || ip6->nexthdr != IPPROTO_UDP)
            return NULL;
        udp = (void *)(ip6 + 1);
    }
    if (!udp || (void *)(udp + 1) > data_end)
        return NULL;
    return udp;
}

// Copies the payload into a slot this CPU has claimed, then publishes it. The flag is written last; the
// compiler barrier keeps it last in the program, and x86 keeps stores in order (the x86-64 JIT emits plain
// moves). Other architectures would need a store-release here.
static __always_inline void map_ring_fill(struct xdp_md *ctx, struct udphdr *udp, struct map_ring_slot *slot, __u64 now)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    void *payload = udp + 1;
    __u32 offset = payload - data;
    __u32 available = data_end - payload;
    __u32 len = bpf_ntohs(udp->len);
    len = len > sizeof(*udp) ? len - sizeof(*udp) : 0;   // the UDP length excludes Ethernet padding
    if (len > available)
        len = available;
    if (len > MAP_RING_DATA_MAX)
        len = MAP_RING_DATA_MAX;
    // Restate the bound as a mask the verifier can follow (it must see 1 <= size <= MAP_RING_DATA_MAX at the
    // call); the empty asm hides len's range from clang, which would otherwise fold the mask away.
    asm volatile("" : "+r"(len));
    if (len > 0) {
        __u32 size = ((len - 1) & (MAP_RING_DATA_MAX - 1)) + 1;
        len = bpf_xdp_load_bytes(ctx, offset, slot->data, size) < 0 ? 0 : size;
    }
    slot->len = len;
    slot->arrival_ns = now;
    asm volatile("" ::: "memory");
    slot->valid = MAP_RING_SLOT_VALID;
}

static __always_inline int map_ring_receive(struct xdp_md *ctx, enum map_ring_when_full when_full)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct udphdr *udp = map_ring_udp(data, data_end);
    if (!udp || ring_port == 0 || udp->dest != bpf_htons(ring_port))
        return XDP_PASS;

    __u32 zero = 0;
    struct map_ring_control *control = bpf_map_lookup_elem(&ring_control, &zero);
    if (!control)
        return XDP_PASS;
    __u64 now = bpf_ktime_get_ns();

    for (int attempt = 0; attempt < MAP_RING_CLAIM_ATTEMPTS; attempt++) {
        // The slot can only be looked up outside the lock (no helper calls while holding it), so peek at
        // the index, look the slot up, and check under the lock that nobody moved the index meanwhile.
        __u64 index = *(volatile __u64 *)&control->write_index;
        __u32 key = index % MAP_RING_SLOTS;
        struct map_ring_slot *slot = bpf_map_lookup_elem(&ring_slots, &key);
        if (!slot)
            return XDP_PASS;

        int claimed = 0, full = 0;
        bpf_spin_lock(&control->lock);
        if (control->write_index == index) {
            if (slot->valid == MAP_RING_SLOT_FREE) {
                slot->valid = MAP_RING_SLOT_CLAIMED;
                control->write_index = index + 1;
                control->stored++;
                claimed = 1;
            } else {
                control->full_drops++;
                if (when_full == MAP_RING_ADVANCE_WRITE_INDEX)
                    control->write_index = index + 1;   // the bug: the dropped packet still uses up a slot
                full = 1;
            }
        }
        bpf_spin_unlock(&control->lock);

        if (full)
            return XDP_DROP;
        if (claimed) {
            map_ring_fill(ctx, udp, slot, now);
            return XDP_DROP;
        }
    }
    __sync_fetch_and_add(&control->contention_drops, 1);
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
