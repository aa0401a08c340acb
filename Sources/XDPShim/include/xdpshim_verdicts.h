#pragma once
// Per-packet XDP verdicts, xdpdump-style: the fexit recorder (KernelObservation/bpf/xdp_verdicts.bpf.c) attached
// to an XDP program records, for every tagged frame that program sees, the action it returned, the RX queue and
// the frame's xdplab tag, and for an XDP_REDIRECT the map key and result. A C shim because the fexit target must
// be set between libbpf's open and load, and its function name comes from the target's BTF.
#include <stdint.h>

#define XDPSHIM_VERDICT_KIND_VERDICT 1
#define XDPSHIM_VERDICT_KIND_REDIRECT 2

/// Keep in step with struct record in xdp_verdicts.bpf.c.
struct xdpshim_verdict {
    uint64_t id;
    uint64_t seq;
    uint32_t kind;
    uint32_t action;
    uint32_t queue;
    uint32_t cpu;
    uint32_t tagged;
    int32_t map_index;
    int32_t error;
    uint32_t pad;
};

struct xdpshim_verdicts;

/// Opens `object_path`, aims its fexit program at the main function of the XDP program with id `prog_id` (the
/// name comes from the program's BTF: its first func_info record), loads it and attaches the fexit and the two
/// redirect tracepoints. Returns 0 and the recorder in `*out`, or -errno (EPERM where the kernel refuses fexit
/// on XDP programs; ENOENT when the program has no BTF). `*failed_step` names the step that failed.
int xdpshim_verdicts_open(const char *object_path, uint32_t prog_id, struct xdpshim_verdicts **out,
                          const char **failed_step);

/// Copies up to `max` records made since the last call into `out`, waiting at most `timeout_ms` for the first.
/// Returns how many, or -errno.
int xdpshim_verdicts_poll(struct xdpshim_verdicts *recorder, struct xdpshim_verdict *out, int max, int timeout_ms);

/// Records the ring buffer had no room for.
uint64_t xdpshim_verdicts_overflows(struct xdpshim_verdicts *recorder);

/// Detaches every program and frees everything.
void xdpshim_verdicts_close(struct xdpshim_verdicts *recorder);
