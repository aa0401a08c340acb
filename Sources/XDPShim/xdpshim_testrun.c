#include <errno.h>
#include <pthread.h>
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

/// One thread's share of one queue's frames: every `parts`-th of them, from `part` on.
struct slice {
    const struct xdpshim_frames *frames;
    int prog_fd;
    uint32_t ifindex, rx_queue, queue, queues, every, part, parts;
    uint32_t *out, *spread;
    int err;
    uint32_t failed_frame;
};

static void *run_slice(void *argument)
{
    struct slice *s = argument;
    struct xdp_md ctx = { .ingress_ifindex = s->ifindex, .rx_queue_index = s->rx_queue };
    LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
    // The queue's frames in order: the every-queue ones, then this queue's share of the spread ones.
    uint32_t i = s->every > 0 ? 0 : s->every + s->queue;
    for (uint32_t k = 0; i < s->frames->count && !s->err; k++) {
        uint32_t *retval = i < s->every ? &s->out[i] : &s->spread[i];
        if (k % s->parts == s->part && (s->err = run_one(s->frames, i, &ctx, &opts, s->prog_fd, retval)))
            s->failed_frame = i;
        i = i + 1 < s->every ? i + 1 : (i < s->every ? s->every + s->queue : i + s->queues);
    }
    return NULL;
}

/// Runs one queue's frames in the current slot state, split over `m->threads` threads (the calling one
/// included), each with a descriptor of its own for the program. Threads inherit the caller's network namespace,
/// where the kernel looks the ifindex up.
static int run_queue(const struct xdpshim_frames *frames, const struct xdpshim_matrix *m, uint32_t rx_queue,
                     uint32_t queue, uint32_t *out, uint32_t *spread, uint32_t *failed_frame)
{
    uint32_t parts = m->threads == 0 ? 1 : (m->threads > XDPSHIM_MAX_THREADS ? XDPSHIM_MAX_THREADS : m->threads);
    struct slice slices[XDPSHIM_MAX_THREADS];
    pthread_t threads[XDPSHIM_MAX_THREADS];
    uint32_t started = 0;
    int err = 0;
    for (uint32_t part = 0; part < parts; part++) {
        int fd = part == 0 ? m->prog_fd : dup(m->prog_fd);
        if (fd < 0) {
            parts = part;   // run with the threads there are descriptors for
            break;
        }
        slices[part] = (struct slice){ .frames = frames, .prog_fd = fd, .ifindex = (uint32_t)m->ifindex,
                                       .rx_queue = rx_queue, .queue = queue, .queues = m->queue_count,
                                       .every = m->every_queue_count, .part = part, .parts = 0, .out = out,
                                       .spread = spread };
    }
    for (uint32_t part = 0; part < parts; part++)
        slices[part].parts = parts;
    for (uint32_t part = 1; part < parts; part++) {
        if (pthread_create(&threads[part], NULL, run_slice, &slices[part]) != 0)
            break;
        started = part;
    }
    // Slices whose thread did not start run here, after the first.
    for (uint32_t part = started + 1; part < parts; part++)
        run_slice(&slices[part]);
    run_slice(&slices[0]);
    for (uint32_t part = 1; part <= started; part++)
        pthread_join(threads[part], NULL);
    for (uint32_t part = 0; part < parts; part++) {
        if (!err && slices[part].err) {
            err = slices[part].err;
            *failed_frame = slices[part].failed_frame;
        }
        if (part > 0)
            close(slices[part].prog_fd);
    }
    return err;
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
            err = run_queue(frames, m, rx_queue, queue, out, spread, &failed_frame);
            if (state == 1)
                bpf_map_delete_elem(m->xsks_map_fd, &rx_queue);
            if (err)
                return fail(m, err, state, queue, failed_frame, "run the program (BPF_PROG_TEST_RUN)");
        }
    }
    return 0;
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
