#pragma once
#include <stdint.h>

/// Whether the kernel lets a tracing program see the XDP program with id `prog_id` at its exit (fexit, as
/// xdpdump does to read every frame and verdict): loads a two-instruction BPF_TRACE_FEXIT program aimed at the
/// target's main function (its BTF id from the target's func_info) and closes it again. Returns 0 when it loads,
/// -errno when the kernel refuses (EPERM under lockdown or without CAP_PERFMON/BPF), -ENOENT when the target has
/// no BTF, so no function to aim at. Nothing is attached.
int xdpshim_fexit_probe(uint32_t prog_id);
