#pragma once
#include <stdint.h>

/// Whether the kernel lets a tracing program see the XDP program with id `prog_id` at its exit (fexit, as
/// xdpdump does to read every frame and verdict): loads a two-instruction BPF_TRACE_FEXIT program aimed at the
/// target's main function (its BTF id from the target's func_info) and closes it again. Returns 0 when it loads,
/// -errno when the kernel refuses (EPERM under lockdown or without CAP_PERFMON/BPF), -ENOENT when the target has
/// no BTF, so no function to aim at. Nothing is attached.
int xdpshim_fexit_probe(uint32_t prog_id);

/// Runs the XDP program `prog_fd` once with BPF_PROG_TEST_RUN on a 64-byte frame carrying the xdplab tag of id
/// 42 (for the per-packet verdict probe). Returns the XDP action it
/// returned (0..4 or any other value), or -errno when the kernel refuses the test run.
int xdpshim_test_run_probe(int prog_fd);

/// Whether an AF_XDP socket binds to `ifname` queue `queue` in the calling thread's namespace: copy mode when
/// `zero_copy` is 0, XDP_ZEROCOPY otherwise. The socket and its UMEM are deleted again at once. Returns 0 when
/// the bind succeeds, else -errno (zero-copy on veth: EOPNOTSUPP or EINVAL).
int xdpshim_xsk_bind_probe(const char *ifname, uint32_t queue, int zero_copy);
