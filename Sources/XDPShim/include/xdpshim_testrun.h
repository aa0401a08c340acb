#pragma once
// The hot loop of `xdplab check`: one XDP program run over many frames on many RX queues with
// BPF_PROG_TEST_RUN, in one call from Swift, so the rate stays that of a plain C loop.
// A C shim because bpf_test_run_opts is filled with LIBBPF_OPTS, and so that no Swift runs per frame.
#include <stdint.h>

/// Frames packed back to back: frame i is `lengths[i]` bytes at `bytes + offsets[i]`.
struct xdpshim_frames {
    const uint8_t *bytes;
    const uint64_t *offsets;
    const uint32_t *lengths;
    uint32_t count;
};

/// One verdict matrix, first with every `xsks_map` slot empty, then (when `socket_fds` is given) with the
/// slot of the frame's own queue holding `socket_fds[queue]` and every other slot empty. Frames below
/// `every_queue_count` run on every RX queue 0..queue_count-1; each later frame i runs on one queue,
/// (i - every_queue_count) % queue_count, so long sweeps are spread over the queues instead of repeated.
#define XDPSHIM_MAX_THREADS 64

struct xdpshim_matrix {
    int prog_fd;
    /// The XSKMAP whose slots the states set, or -1 to touch no map at all and run the one state the slots
    /// are in now (a live program of another process: then socket_fds must be NULL).
    int xsks_map_fd;
    /// The device whose RX queues the frames arrive on, in the calling thread's network namespace;
    /// 0 runs on the loopback device's queue 0 (then queue_count must be 1).
    int ifindex;
    uint32_t queue_count;
    /// The RX queue index of each of the queue_count queues, or NULL for 0..queue_count-1. With an
    /// XSKMAP, a queue's slot is its RX queue index.
    const uint32_t *queue_ids;
    uint32_t every_queue_count;
    /// queue_count AF_XDP socket descriptors, or NULL to run the empty state only.
    const int32_t *socket_fds;
    /// Threads that share each queue's frames (0 or 1: only the calling one), at most XDPSHIM_MAX_THREADS.
    /// Each runs with a descriptor of its own for prog_fd's program (reopened by id, else a dup), and takes the
    /// queue's frames in blocks, so a thread the scheduler holds back leaves its share to the others.
    uint32_t threads;
    /// Out: the program's return values. Per state (0 empty, 1 registered): [queue][every_queue_count],
    /// then one value for each later frame.
    uint32_t *retvals;

    /// Out, on failure: where the loop stopped and what it was doing.
    uint32_t failed_state;
    uint32_t failed_queue;
    uint32_t failed_frame;
    const char *failed_step;
};

/// Runs the whole matrix: bpf_map_delete_elem/bpf_map_update_elem on the XSKMAP around each queue,
/// bpf_prog_test_run_opts with ctx_in (ingress_ifindex, rx_queue_index) for each frame.
/// Leaves every slot it touched empty. Returns 0 or a negative errno (see failed_*).
int xdpshim_testrun_matrix(const struct xdpshim_frames *frames, struct xdpshim_matrix *matrix);

/// How many RX queues BPF_PROG_TEST_RUN accepts on `ifindex` of the calling thread's network namespace:
/// the kernel looks the ifindex up there and refuses an rx_queue_index at or beyond the device's
/// real_num_rx_queues with EINVAL. Found by test-running a two-instruction XDP program of its own (so no
/// program under test runs) on queues 0, 1, … below `limit`. Returns the count (at most `limit`) or a
/// negative errno (-ENODEV: no such ifindex in this namespace).
int xdpshim_testrun_rx_queues(int ifindex, uint32_t limit);
