// SPDX-License-Identifier: GPL-2.0
// Counts the xdp:xdp_exception and xdp:xdp_redirect_err events of one XDP program (the program under
// test), so a run can prove which packets the kernel dropped and why. User space sets target_prog_id
// before loading and reads the two hash maps at the end.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 target_prog_id = 0;

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
    if ((__u32)args->prog_id != target_prog_id)
        return 0;
    __u32 action = args->act;
    count(&exceptions, &action);
    return 0;
}

SEC("tracepoint/xdp/xdp_redirect_err")
int count_redirect_error(struct xdp_redirect_err_args *args)
{
    if ((__u32)args->prog_id != target_prog_id)
        return 0;
    struct redirect_error_key key = { .err = args->err, .map_index = args->map_index };
    count(&redirect_errors, &key);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
