// SPDX-License-Identifier: GPL-2.0
// tc clsact ingress program for the stack side of a lab link, during a load phase.
//
// tc ingress runs after XDP: every frame seen here is one the XDP program passed to the kernel. The
// program counts frames by load tag (the 16-byte PacketTag whose id is LOAD_BASE + template index), so a
// load phase far faster than a capture can follow still proves which frames reached the kernel. Tags
// sit at a handful of offsets that user space writes into tag_offsets (each template's offset, and
// 4 and 8 bytes less for frames whose VLAN tags the kernel took off before this hook).
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define LOAD_BASE 0x4C4F414400000000ull /* must match LoadTag.base */
#define TALLY_SLOTS 4096                /* must match LoadTag.capacity */
#define OFFSET_SLOTS 64                 /* must match IngressTally.offsetSlots */
#define OFFSET_END 0xffffffffu          /* an unused offset slot; the list ends there */
#define TAG_MAGIC 0x010742414C504458ull /* "XDPLAB\a\x01" read as a little-endian word */

struct offsets {
    __u32 at[OFFSET_SLOTS];
};

/* One element holding the whole list: the loop below then indexes a register, not a spilled map key. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct offsets);
} tag_offsets SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, TALLY_SLOTS);
    __type(key, __u32);
    __type(value, __u64);
} tally SEC(".maps");

SEC("tc")
int count_load_tags(struct __sk_buff *skb)
{
    __u32 zero = 0;
    struct offsets *list = bpf_map_lookup_elem(&tag_offsets, &zero);
    if (!list)
        return TC_ACT_OK;
    for (__u32 i = 0; i < OFFSET_SLOTS; i++) {
        __u32 offset = list->at[i];
        if (offset == OFFSET_END)
            break;
        __u64 tag[2];
        if (bpf_skb_load_bytes(skb, offset & 0xfff, tag, sizeof(tag)) < 0 || tag[0] != TAG_MAGIC)
            continue;
        __u64 id = bpf_be64_to_cpu(tag[1]);
        if (id < LOAD_BASE || id >= LOAD_BASE + TALLY_SLOTS)
            break;
        __u32 slot = id - LOAD_BASE;
        __u64 *count = bpf_map_lookup_elem(&tally, &slot);
        if (count)
            *count += 1;
        break;
    }
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
