// SPDX-License-Identifier: GPL-2.0
// Counts the xdp:xdp_exception and xdp:xdp_redirect_err events of the program under test, so a run can
// prove which packets the kernel dropped and why, and (when asked) records each successful redirect with
// its time and map key: for a stack whose sockets xdplab does not own, that is the kernel's word on what
// reached a socket. User space names the programs to watch in `watched` (a stack may swap its program
// mid-run, which gives a new id) and reads the maps at the end.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// Program ids of the program under test and of any program that replaced it.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u8);
} watched SEC(".maps");

static __always_inline int is_watched(__s32 prog_id)
{
    __u32 id = (__u32)prog_id;
    return bpf_map_lookup_elem(&watched, &id) != NULL;
}

// Layouts from /sys/kernel/tracing/events/xdp/<event>/format (Linux 6.x); the first 8 bytes are the
// common fields every trace event starts with.
struct xdp_exception_args {
    __u64 common;
    __s32 prog_id;
    __u32 act;
    __s32 ifindex;
};

struct xdp_redirect_err_args {
    __u64 common;
    __s32 prog_id;
    __u32 act;
    __s32 ifindex;
    __s32 err;
    __s32 to_ifindex;
    __u32 map_id;
    __s32 map_index;
};

// xdp_redirect has the same layout as xdp_redirect_err (one event class); err is 0 there.
struct redirect_event {
    __u64 ns;         // bpf_ktime_get_ns: CLOCK_MONOTONIC, the clock traffic times are taken on
    __u32 prog_id;
    __s32 map_index;  // for an XSKMAP: the key, and a successful redirect needs key == RX queue
};

// Successful redirects in order; when it is full, later ones are only counted in redirect_counts.
struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(max_entries, 65536);
    __type(value, struct redirect_event);
} redirect_events SEC(".maps");

// Successful redirects by map key, all of them.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __s32);
    __type(value, __u64);
} redirect_counts SEC(".maps");

struct redirect_error_key {
    __s32 err;        // negative errno, as the kernel reports it
    __s32 map_index;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 256);
    __type(key, __u32);        // raw XDP action
    __type(value, __u64);
} exceptions SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, struct redirect_error_key);
    __type(value, __u64);
} redirect_errors SEC(".maps");

static __always_inline void count(void *map, void *key)
{
    __u64 one = 1, *value = bpf_map_lookup_elem(map, key);
    if (value) {
        __sync_fetch_and_add(value, 1);
        return;
    }
    // Another CPU may have inserted it meanwhile: then add to its entry.
    if (bpf_map_update_elem(map, key, &one, BPF_NOEXIST) != 0) {
        value = bpf_map_lookup_elem(map, key);
        if (value)
            __sync_fetch_and_add(value, 1);
    }
}

SEC("tracepoint/xdp/xdp_exception")
int count_exception(struct xdp_exception_args *args)
{
    if (!is_watched(args->prog_id))
        return 0;
    __u32 action = args->act;
    count(&exceptions, &action);
    return 0;
}

SEC("tracepoint/xdp/xdp_redirect_err")
int count_redirect_error(struct xdp_redirect_err_args *args)
{
    if (!is_watched(args->prog_id))
        return 0;
    struct redirect_error_key key = { .err = args->err, .map_index = args->map_index };
    count(&redirect_errors, &key);
    return 0;
}

SEC("tracepoint/xdp/xdp_redirect")
int record_redirect(struct xdp_redirect_err_args *args)
{
    if (!is_watched(args->prog_id))
        return 0;
    struct redirect_event event = {
        .ns = bpf_ktime_get_ns(), .prog_id = (__u32)args->prog_id, .map_index = args->map_index,
    };
    bpf_map_push_elem(&redirect_events, &event, 0);
    __s32 key = args->map_index;
    count(&redirect_counts, &key);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
