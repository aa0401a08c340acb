#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpshim_testrun.h"

static int fail(struct xdpshim_matrix *m, int err, uint32_t state, uint32_t queue, uint32_t frame, const char *step)
{
    m->failed_state = state;
    m->failed_queue = queue;
    m->failed_frame = frame;
    m->failed_step = step;
    return err < 0 ? err : -EINVAL;
}

/// Empties slots 0..count-1; a slot that is empty already (ENOENT) is fine.
static int clear_slots(int map_fd, uint32_t count, uint32_t *failed)
{
    for (uint32_t q = 0; q < count; q++) {
        int err = bpf_map_delete_elem(map_fd, &q);
        if (err && err != -ENOENT) {
            *failed = q;
            return err;
        }
    }
    return 0;
}

/// One BPF_PROG_TEST_RUN of frame `index`; the kernel wants data_end = the frame length, no metadata.
static inline int run_one(const struct xdpshim_frames *frames, uint32_t index, struct xdp_md *ctx,
                          struct bpf_test_run_opts *opts, int prog_fd, uint32_t *retval)
{
    opts->data_in = frames->bytes + frames->offsets[index];
    opts->data_size_in = frames->lengths[index];
    // The kernel writes the output size back; left there it would cap the next frame (ENOSPC).
    opts->data_size_out = 0;
    ctx->data_end = frames->lengths[index];
    int err = bpf_prog_test_run_opts(prog_fd, opts);
    *retval = opts->retval;
    return err;
}

/// Frames a thread takes from a queue at a time: large enough that the shared cursor is touched once per
/// thousands of runs, small enough that a thread the scheduler holds back leaves its share to the others.
#define BLOCK_FRAMES 1024u

/// One queue in one slot state, shared by the threads that run it. Its frames, in order: the every-queue
/// ones, then every queues-th later frame from every + queue on.
struct queue_run {
    const struct xdpshim_frames *frames;
    uint32_t ifindex, rx_queue, queue, queues, every, length;
    uint32_t *out, *spread;
    /// The next position to hand out, in blocks of BLOCK_FRAMES; set past the end by the first failure.
    _Atomic uint32_t next;
};

/// One thread's part of a queue run, with the program descriptor that thread uses for every run.
struct worker {
    struct queue_run *run;
    int prog_fd;
    int err;
    uint32_t failed_frame;
};

static uint32_t queue_length(uint32_t count, uint32_t every, uint32_t queue, uint32_t queues)
{
    uint32_t first_spread = every + queue;
    return every + (count > first_spread ? (count - first_spread + queues - 1) / queues : 0);
}

static inline uint32_t frame_at(const struct queue_run *r, uint32_t position)
{
    return position < r->every ? position : r->every + r->queue + (position - r->every) * r->queues;
}

static void *run_blocks(void *argument)
{
    struct worker *w = argument;
    struct queue_run *r = w->run;
    struct xdp_md ctx = { .ingress_ifindex = r->ifindex, .rx_queue_index = r->rx_queue };
    LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
    for (;;) {
        uint32_t first = atomic_fetch_add_explicit(&r->next, BLOCK_FRAMES, memory_order_relaxed);
        if (first >= r->length)
            return NULL;
        uint32_t last = r->length - first < BLOCK_FRAMES ? r->length : first + BLOCK_FRAMES;
        for (uint32_t position = first; position < last; position++) {
            uint32_t i = frame_at(r, position);
            uint32_t *retval = i < r->every ? &r->out[i] : &r->spread[i];
            if ((w->err = run_one(r->frames, i, &ctx, &opts, w->prog_fd, retval))) {
                w->failed_frame = i;
                atomic_store_explicit(&r->next, r->length, memory_order_relaxed);   // the others stop too
                return NULL;
            }
        }
    }
}

/// Runs one queue's frames in the current slot state on `workers` threads (the calling one included), each
/// with its own program descriptor in `prog_fds`. Threads inherit the caller's network namespace, where the
/// kernel looks the ifindex up. A thread that cannot be started leaves its blocks to the others.
static int run_queue(const struct xdpshim_frames *frames, const struct xdpshim_matrix *m, const int *prog_fds,
                     uint32_t workers, uint32_t rx_queue, uint32_t queue, uint32_t *out, uint32_t *spread,
                     uint32_t *failed_frame)
{
    struct queue_run run = { .frames = frames, .ifindex = (uint32_t)m->ifindex, .rx_queue = rx_queue, .queue = queue,
                             .queues = m->queue_count, .every = m->every_queue_count,
                             .length = queue_length(frames->count, m->every_queue_count, queue, m->queue_count),
                             .out = out, .spread = spread };
    atomic_init(&run.next, 0);
    struct worker work[XDPSHIM_MAX_THREADS];
    pthread_t threads[XDPSHIM_MAX_THREADS];
    bool started[XDPSHIM_MAX_THREADS] = { false };
    for (uint32_t part = 0; part < workers; part++)
        work[part] = (struct worker){ .run = &run, .prog_fd = prog_fds[part] };
    for (uint32_t part = 1; part < workers; part++)
        started[part] = pthread_create(&threads[part], NULL, run_blocks, &work[part]) == 0;
    run_blocks(&work[0]);
    int err = 0;
    for (uint32_t part = 0; part < workers; part++) {
        if (started[part])
            pthread_join(threads[part], NULL);
        // The failure with the lowest frame, so the report does not depend on which thread got there first.
        if (work[part].err && (!err || work[part].failed_frame < *failed_frame)) {
            err = work[part].err;
            *failed_frame = work[part].failed_frame;
        }
    }
    return err;
}

/// A descriptor of the program for each thread after the first, each a file of its own: BPF_PROG_TEST_RUN
/// takes a reference on the descriptor's file for every run, and threads sharing one file (one descriptor,
/// or its dup) would contend for that count. Reopened by id; where that is refused, a dup. Returns how
/// many threads have a descriptor (at least 1: the caller's prog_fd).
static uint32_t open_thread_fds(int prog_fd, uint32_t threads, int *prog_fds)
{
    struct bpf_prog_info info = { 0 };
    uint32_t info_length = sizeof(info);
    bool by_id = bpf_obj_get_info_by_fd(prog_fd, &info, &info_length) == 0;
    prog_fds[0] = prog_fd;
    uint32_t opened = 1;
    for (; opened < threads; opened++) {
        int fd = by_id ? bpf_prog_get_fd_by_id(info.id) : -1;
        if (fd < 0)
            fd = dup(prog_fd);
        if (fd < 0)
            break;
        prog_fds[opened] = fd;
    }
    return opened;
}

static void close_thread_fds(const int *prog_fds, uint32_t count)
{
    for (uint32_t part = 1; part < count; part++)
        close(prog_fds[part]);
}

/// Every state, queue by queue: a queue's slot is set, its frames run on every thread, and the slot is emptied
/// before the next queue, so each run sees exactly the slots its state names.
static int run_states(const struct xdpshim_frames *frames, struct xdpshim_matrix *m, const int *prog_fds,
                      uint32_t workers, uint32_t states, size_t stride)
{
    const uint32_t queues = m->queue_count, every = m->every_queue_count;
    int err;
    for (uint32_t state = 0; state < states; state++) {
        for (uint32_t queue = 0; queue < queues; queue++) {
            uint32_t rx_queue = m->queue_ids ? m->queue_ids[queue] : queue;
            if (state == 1) {
                uint32_t value = (uint32_t)m->socket_fds[queue];
                err = bpf_map_update_elem(m->xsks_map_fd, &rx_queue, &value, BPF_ANY);
                if (err)
                    return fail(m, err, state, queue, 0, "register the AF_XDP socket in xsks_map");
            }
            uint32_t *out = m->retvals + state * stride + (size_t)queue * every;
            // Frame i >= every lands at spread[i]: right after the every-queue block of this state.
            uint32_t *spread = m->retvals + state * stride + (size_t)queues * every - every;
            uint32_t failed_frame = 0;
            err = run_queue(frames, m, prog_fds, workers, rx_queue, queue, out, spread, &failed_frame);
            if (state == 1)
                bpf_map_delete_elem(m->xsks_map_fd, &rx_queue);
            if (err)
                return fail(m, err, state, queue, failed_frame, "run the program (BPF_PROG_TEST_RUN)");
        }
    }
    return 0;
}

int xdpshim_testrun_matrix(const struct xdpshim_frames *frames, struct xdpshim_matrix *m)
{
    const uint32_t count = frames->count, queues = m->queue_count, every = m->every_queue_count;
    const uint32_t states = m->socket_fds ? 2 : 1;
    const size_t stride = (size_t)queues * every + (count - every);
    uint32_t failed_queue = 0;

    if (queues == 0 || every > count || (m->ifindex == 0 && (queues != 1 || (m->queue_ids && m->queue_ids[0]))))
        return fail(m, -EINVAL, 0, 0, 0, "check the queue and frame counts (loopback has one RX queue)");
    if (m->xsks_map_fd < 0 && m->socket_fds)
        return fail(m, -EINVAL, 0, 0, 0, "register sockets without an XSKMAP");
    int err = 0;
    if (m->xsks_map_fd >= 0 && m->queue_ids) {
        for (uint32_t queue = 0; queue < queues && !err; queue++) {
            err = bpf_map_delete_elem(m->xsks_map_fd, &m->queue_ids[queue]);
            err = err == -ENOENT ? 0 : err;
            failed_queue = queue;
        }
    } else if (m->xsks_map_fd >= 0) {
        err = clear_slots(m->xsks_map_fd, queues, &failed_queue);
    }
    if (err)
        return fail(m, err, 0, failed_queue, 0, "empty the xsks_map slots");

    int prog_fds[XDPSHIM_MAX_THREADS];
    uint32_t threads = m->threads == 0 ? 1 : (m->threads > XDPSHIM_MAX_THREADS ? XDPSHIM_MAX_THREADS : m->threads);
    uint32_t workers = open_thread_fds(m->prog_fd, threads, prog_fds);
    err = run_states(frames, m, prog_fds, workers, states, stride);
    close_thread_fds(prog_fds, workers);
    return err;
}

int xdpshim_testrun_rx_queues(int ifindex, uint32_t limit)
{
    const struct bpf_insn pass[] = {
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
        { .code = BPF_JMP | BPF_EXIT },
    };
    int prog_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdplab_queues", "GPL", pass, 2, NULL);
    if (prog_fd < 0)
        return prog_fd;
    uint8_t frame[64] = { 0 };
    struct xdp_md ctx = { .data_end = sizeof(frame), .ingress_ifindex = (uint32_t)ifindex };
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame), .ctx_in = &ctx,
                .ctx_size_in = sizeof(ctx), .repeat = 1);
    uint32_t queue;
    int err = 0;
    for (queue = 0; queue < limit; queue++) {
        ctx.rx_queue_index = queue;
        opts.data_size_out = 0;
        if ((err = bpf_prog_test_run_opts(prog_fd, &opts)))
            break;
    }
    close(prog_fd);
    // EINVAL past the first queue: that queue is beyond the device's real RX queue count.
    if (err == -EINVAL && queue > 0)
        return (int)queue;
    return err ? err : (int)queue;
}
