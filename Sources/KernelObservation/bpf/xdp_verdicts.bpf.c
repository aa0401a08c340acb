// SPDX-License-Identifier: GPL-2.0
// Per-packet XDP verdicts, xdpdump-style. An fexit program attached to the XDP program under test sees every
// frame it ran on and the action it returned; it records the action, the RX queue and the frame's xdplab tag
// (if any) into a ring buffer. An XDP_REDIRECT's target is not in the return value: the kernel acts on it right
// after the program returns, on the same CPU, and fires xdp:xdp_redirect (success) or xdp:xdp_redirect_err
// with the map key. Two tp_btf programs (no tracefs needed) turn those into a second record that names the
// verdict record it belongs to by CPU and sequence number; user space joins the two.
//
// The kernel types are declared with only the fields read; preserve_access_index makes libbpf relocate each
// field to this kernel's layout (CO-RE), so no vmlinux.h is needed.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct xdp_rxq_info { __u32 queue_index; } __attribute__((preserve_access_index));
struct xdp_buff { void *data; void *data_end; struct xdp_rxq_info *rxq; } __attribute__((preserve_access_index));

#define KIND_VERDICT 1
#define KIND_REDIRECT 2

// Keep in step with struct xdpshim_verdict (XDPShim/include/xdpshim_verdicts.h).
struct record {
    __u64 id;
    __u64 seq;
    __u32 kind;
    __u32 action;
    __u32 queue;
    __u32 cpu;
    __u32 tagged;
    __s32 map_index;
    __s32 error;
    __u32 pad;
};

// Per CPU: the sequence number of the last verdict and whether a redirect of it is still to come.
struct last_verdict { __u64 seq; __u32 awaiting_redirect; __u32 pad; };

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1024 * 1024);
} verdicts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct last_verdict);
} last SEC(".maps");

// [0]: records the ring buffer had no room for, so a report can say verdicts are missing.
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} overflows SEC(".maps");

// Tags sit in the first bytes of every frame xdplab sends (payload, padding, options); 176 bytes cover them.
#define SCAN 176
#define TAG 16

static __always_inline int find_tag(struct xdp_buff *xdp, __u64 *id)
{
    unsigned char bytes[SCAN + TAG];
    void *data = BPF_CORE_READ(xdp, data);
    void *end = BPF_CORE_READ(xdp, data_end);
    long length = end - data;
    if (length <= TAG)
        return 0;
    // Read no further than the frame: the bytes after it are not the packet's.
    __u32 size = sizeof(bytes);
    if (length < (long)sizeof(bytes))
        size = (__u32)length;
    __builtin_memset(bytes, 0, sizeof(bytes));
    if (bpf_probe_read_kernel(bytes, size, data) != 0)
        return 0;
    for (int i = 0; i < SCAN; i++) {
        if (i + TAG > size)
            break;
        if (bytes[i] == 'X' && bytes[i + 1] == 'D' && bytes[i + 2] == 'P' && bytes[i + 3] == 'L' &&
            bytes[i + 4] == 'A' && bytes[i + 5] == 'B' && bytes[i + 6] == 7 && bytes[i + 7] == 1) {
            __u64 value = 0;
            for (int k = 0; k < 8; k++)
                value = value << 8 | bytes[i + 8 + k];
            *id = value;
            return 1;
        }
    }
    return 0;
}

static __always_inline void count_overflow(void)
{
    __u32 zero = 0;
    __u64 *count = bpf_map_lookup_elem(&overflows, &zero);
    if (count)
        __sync_fetch_and_add(count, 1);
}

SEC("fexit/xdp")
int BPF_PROG(record_verdict, struct xdp_buff *xdp, int action)
{
    __u32 zero = 0;
    struct last_verdict *state = bpf_map_lookup_elem(&last, &zero);
    if (!state)
        return 0;
    __u64 id = 0;
    // Untagged frames (SSH sessions, neighbour discovery) are not recorded: only injected packets are judged.
    state->awaiting_redirect = 0;
    if (!find_tag(xdp, &id))
        return 0;
    state->seq++;
    state->awaiting_redirect = action == XDP_REDIRECT;
    struct record *r = bpf_ringbuf_reserve(&verdicts, sizeof(*r), 0);
    if (!r) {
        count_overflow();
        return 0;
    }
    struct xdp_rxq_info *rxq = BPF_CORE_READ(xdp, rxq);
    r->id = id;
    r->seq = state->seq;
    r->kind = KIND_VERDICT;
    r->action = action;
    r->queue = rxq ? BPF_CORE_READ(rxq, queue_index) : 0;
    r->cpu = bpf_get_smp_processor_id();
    r->tagged = 1;
    r->map_index = -1;
    r->error = 0;
    r->pad = 0;
    bpf_ringbuf_submit(r, 0);
    return 0;
}

static __always_inline int record_redirect(__u32 index, int error)
{
    __u32 zero = 0;
    struct last_verdict *state = bpf_map_lookup_elem(&last, &zero);
    // Only the redirect that follows a recorded verdict on this CPU is ours; any other program's is not.
    if (!state || !state->awaiting_redirect)
        return 0;
    state->awaiting_redirect = 0;
    struct record *r = bpf_ringbuf_reserve(&verdicts, sizeof(*r), 0);
    if (!r) {
        count_overflow();
        return 0;
    }
    r->id = 0;
    r->seq = state->seq;
    r->kind = KIND_REDIRECT;
    r->action = XDP_REDIRECT;
    r->queue = 0;
    r->cpu = bpf_get_smp_processor_id();
    r->tagged = 0;
    r->map_index = (__s32)index;
    r->error = error;
    r->pad = 0;
    bpf_ringbuf_submit(r, 0);
    return 0;
}

// TP_PROTO(dev, xdp_prog, tgt, err, map_type, map_id, index): the same for both events, 6.1 to 6.18.
SEC("tp_btf/xdp_redirect")
int BPF_PROG(redirect_done, void *dev, void *prog, void *target, int err, int map_type, __u32 map_id, __u32 index)
{
    return record_redirect(index, err);
}

SEC("tp_btf/xdp_redirect_err")
int BPF_PROG(redirect_failed, void *dev, void *prog, void *target, int err, int map_type, __u32 map_id, __u32 index)
{
    return record_redirect(index, err);
}

char LICENSE[] SEC("license") = "GPL";
