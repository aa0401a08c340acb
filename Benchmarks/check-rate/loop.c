// SPDX-License-Identifier: GPL-2.0
// check-rate-loop: the plain C baseline for `xdplab check`'s speed. It runs the same matrix as the check
// (the leading frames on every RX queue, each later frame on one queue in turn; first with every xsks_map
// slot empty, then with a real AF_XDP socket in the slot of the frame's queue) as a bare loop of
// bpf_prog_test_run_opts calls, and prints the rate.
//
// usage: check-rate-loop OBJECT FRAMES QUEUES PORTS NETNS [ROUNDS [THREADS [FDS]]]
//   OBJECT  compiled XDP program (section "xdp", XSKMAP xsks_map, optional validator_ports)
//   FRAMES  frames written by `xdplab check --save-frames` (XDPLABF1 format)
//   PORTS   comma-separated validator ports written into validator_ports
//   NETNS   namespace (/run/netns/NETNS) holding veth check0 with QUEUES RX queues
//   THREADS threads that split each queue's frames in equal contiguous parts (default 1: the baseline)
//   FDS     what each thread after the first runs the program through: shared (the same descriptor), dup
//           (a dup of it: the same open file), reopen (bpf_prog_get_fd_by_id: a file of its own, the same
//           program) or load (the object loaded again with the same maps: a program of its own); default reopen
// Prints one line per round: "runs=N seconds=S rate=R redirects=D".
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

static void die(const char *what, int err)
{
    fprintf(stderr, "check-rate-loop: %s: %s\n", what, strerror(err < 0 ? -err : err));
    exit(1);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

// Frames file: "XDPLABF1", u32 count, u32 count of leading frames that run on every queue, then per frame
// u32 length and the bytes (little-endian).
static uint8_t *read_frames(const char *path, uint32_t *count, uint32_t *every, uint64_t **offsets, uint32_t **lengths)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        die(path, errno);
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *bytes = malloc((size_t)size);
    if (!bytes || fread(bytes, 1, (size_t)size, file) != (size_t)size)
        die("read the frames", EIO);
    fclose(file);
    if (size < 16 || memcmp(bytes, "XDPLABF1", 8) != 0)
        die("frames file has no XDPLABF1 header", EINVAL);
    memcpy(count, bytes + 8, 4);
    memcpy(every, bytes + 12, 4);
    if (*every > *count)
        die("frames file counts more every-queue frames than frames", EINVAL);
    *offsets = malloc(sizeof(uint64_t) * *count);
    *lengths = malloc(sizeof(uint32_t) * *count);
    uint64_t cursor = 16;
    for (uint32_t i = 0; i < *count; i++) {
        memcpy(&(*lengths)[i], bytes + cursor, 4);
        (*offsets)[i] = cursor + 4;
        cursor += 4 + (*lengths)[i];
        if (cursor > (uint64_t)size)
            die("frames file is cut short", EINVAL);
    }
    return bytes;
}

static int enter_namespace(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "/run/netns/%s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0)
        return -errno;
    close(fd);
    return 0;
}

// One AF_XDP socket bound to queue `queue` of check0 in copy mode, with a small UMEM of its own.
static int open_socket(uint32_t queue)
{
    const size_t frames = 64, frame_size = 2048;
    void *area = mmap(NULL, frames * frame_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        die("map a UMEM", errno);
    struct xsk_ring_prod *fill = calloc(1, sizeof(*fill));
    struct xsk_ring_cons *completion = calloc(1, sizeof(*completion)), *rx = calloc(1, sizeof(*rx));
    struct xsk_umem_config umem_config = { .fill_size = 64, .comp_size = 64, .frame_size = frame_size };
    struct xsk_umem *umem;
    int err = xsk_umem__create(&umem, area, frames * frame_size, fill, completion, &umem_config);
    if (err)
        die("xsk_umem__create", err);
    struct xsk_socket_config config = {
        .rx_size = 64,
        .tx_size = 0,
        .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
        .bind_flags = XDP_COPY,
    };
    struct xsk_socket *socket;
    // The queue can still be held by the socket of the previous round's process (the kernel releases it
    // after that process exits): wait for it, up to 2 s.
    for (int wait = 0; (err = xsk_socket__create(&socket, "check0", queue, umem, rx, NULL, &config)) == -EBUSY && wait < 200; wait++)
        usleep(10000);
    if (err)
        die("xsk_socket__create", err);
    return xsk_socket__fd(socket);
}

static inline uint32_t run_one(int prog_fd, struct bpf_test_run_opts *opts, struct xdp_md *ctx, const uint8_t *frame,
                               uint32_t length)
{
    opts->data_in = frame;
    opts->data_size_in = length;
    opts->data_size_out = 0;   // the kernel writes the size back; left there it caps the next frame
    ctx->data_end = length;
    int err = bpf_prog_test_run_opts(prog_fd, opts);
    if (err)
        die("bpf_prog_test_run_opts", err);
    return opts->retval;
}

// The program in section "xdp", else the first XDP program, as xdplab picks it.
static struct bpf_program *xdp_program(struct bpf_object *object)
{
    struct bpf_program *program = NULL, *cursor = NULL;
    while ((cursor = bpf_object__next_program(object, cursor))) {
        if (strcmp(bpf_program__section_name(cursor), "xdp") == 0)
            return cursor;
        if (!program && bpf_program__type(cursor) == BPF_PROG_TYPE_XDP)
            program = cursor;
    }
    return program;
}

// Opens and loads OBJECT; with `maps_of`, every map is that object's own (reused, not created), so the
// program is a second copy that reads and writes the same maps.
static struct bpf_object *load_object(const char *path, struct bpf_object *maps_of)
{
    struct bpf_object *object = bpf_object__open_file(path, NULL);
    if (!object)
        die("open the object", errno);
    struct bpf_map *map;
    if (maps_of) {
        bpf_object__for_each_map(map, object) {
            struct bpf_map *same = bpf_object__find_map_by_name(maps_of, bpf_map__name(map));
            int err = same ? bpf_map__reuse_fd(map, bpf_map__fd(same)) : -ENOENT;
            if (err)
                die("reuse a map of the first load", err);
        }
    }
    int err = bpf_object__load(object);
    if (err)
        die("load the object", err);
    return object;
}

// The descriptor thread `part` runs the program through (part 0: the program's own).
static int thread_fd(const char *mode, const char *path, struct bpf_object *object, int prog_fd, uint32_t part)
{
    if (part == 0 || strcmp(mode, "shared") == 0)
        return prog_fd;
    if (strcmp(mode, "dup") == 0)
        return dup(prog_fd);
    if (strcmp(mode, "load") == 0)
        return bpf_program__fd(xdp_program(load_object(path, object)));
    struct bpf_prog_info info = { 0 };
    uint32_t length = sizeof(info);
    int err = bpf_obj_get_info_by_fd(prog_fd, &info, &length);
    if (err)
        die("read the program's id", err);
    return bpf_prog_get_fd_by_id(info.id);
}

// One thread's contiguous part of one queue's frames in one state.
struct part {
    int prog_fd;
    uint32_t ifindex, queue, queues, every, first, last;
    const uint8_t *bytes;
    const uint64_t *offsets;
    const uint32_t *lengths;
    uint32_t *out;   // this state's return values
};

static void *run_part(void *argument)
{
    struct part *p = argument;
    struct xdp_md ctx = { .ingress_ifindex = p->ifindex, .rx_queue_index = p->queue };
    LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
    // Position k of the queue: frame k below `every`, then every queues-th later frame from every + queue.
    for (uint32_t k = p->first; k < p->last; k++) {
        uint32_t i = k < p->every ? k : p->every + p->queue + (k - p->every) * p->queues;
        size_t slot = i < p->every ? (size_t)p->queue * p->every + i : (size_t)p->queues * p->every + (i - p->every);
        p->out[slot] = run_one(p->prog_fd, &opts, &ctx, p->bytes + p->offsets[i], p->lengths[i]);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s OBJECT FRAMES QUEUES PORTS NETNS [ROUNDS [THREADS [FDS]]]\n", argv[0]);
        return 2;
    }
    uint32_t queues = (uint32_t)atoi(argv[3]);
    int rounds = argc > 6 ? atoi(argv[6]) : 1;
    uint32_t threads = argc > 7 ? (uint32_t)atoi(argv[7]) : 1;
    const char *mode = argc > 8 ? argv[8] : "reopen";
    bool known = !strcmp(mode, "shared") || !strcmp(mode, "dup") || !strcmp(mode, "reopen") || !strcmp(mode, "load");
    if (threads < 1 || threads > 64 || !known) {
        fprintf(stderr, "check-rate-loop: THREADS is 1 to 64, FDS one of shared, dup, reopen, load\n");
        return 2;
    }

    struct bpf_object *object = load_object(argv[1], NULL);
    struct bpf_program *program = xdp_program(object);
    struct bpf_map *xsks = bpf_object__find_map_by_name(object, "xsks_map");
    if (!program || !xsks)
        die("find the XDP program and xsks_map", ENOENT);
    int prog_fd = bpf_program__fd(program), xsks_fd = bpf_map__fd(xsks), err;

    struct bpf_map *ports = bpf_object__find_map_by_name(object, "validator_ports");
    if (ports) {
        char *list = strdup(argv[4]);
        for (char *item = strtok(list, ","); item; item = strtok(NULL, ",")) {
            uint32_t port32 = (uint32_t)atoi(item);
            uint16_t port16 = (uint16_t)port32;
            uint64_t one = 1;
            err = bpf_map_update_elem(bpf_map__fd(ports), bpf_map__key_size(ports) == 2 ? (void *)&port16 : (void *)&port32,
                                      &one, BPF_ANY);
            if (err)
                die("fill validator_ports", err);
        }
        free(list);
    }
    int fds[64];
    for (uint32_t t = 0; t < threads; t++)
        if ((fds[t] = thread_fd(mode, argv[1], object, prog_fd, t)) < 0)
            die("open a descriptor for a thread", errno);

    uint32_t count, every;
    uint64_t *offsets;
    uint32_t *lengths;
    uint8_t *bytes = read_frames(argv[2], &count, &every, &offsets, &lengths);

    err = enter_namespace(argv[5]);
    if (err)
        die("enter the namespace", err);
    int ifindex = (int)if_nametoindex("check0");
    if (!ifindex)
        die("find check0", errno);
    int *sockets = calloc(queues, sizeof(int));
    for (uint32_t q = 0; q < queues; q++)
        sockets[q] = open_socket(q);
    const uint64_t runs = ((uint64_t)queues * every + (count - every)) * 2;
    uint32_t *retvals = calloc(runs, sizeof(uint32_t));

    for (int round = 0; round < rounds; round++) {
        double start = now();
        for (uint32_t q = 0; q < queues; q++)
            bpf_map_delete_elem(xsks_fd, &q);
        for (uint32_t state = 0; state < 2; state++) {
            for (uint32_t q = 0; q < queues; q++) {
                if (state == 1 && (err = bpf_map_update_elem(xsks_fd, &q, &sockets[q], BPF_ANY)))
                    die("register a socket", err);
                // The queue's frames: every one below `every`, then every queues-th later one; split in equal parts.
                uint32_t length = every + (count > every + q ? (count - every - q + queues - 1) / queues : 0);
                struct part parts[64];
                pthread_t workers[64];
                for (uint32_t t = 0; t < threads; t++) {
                    parts[t] = (struct part){ .prog_fd = fds[t], .ifindex = (uint32_t)ifindex, .queue = q, .queues = queues,
                                              .every = every, .first = (uint32_t)((uint64_t)length * t / threads),
                                              .last = (uint32_t)((uint64_t)length * (t + 1) / threads), .bytes = bytes,
                                              .offsets = offsets, .lengths = lengths, .out = retvals + state * (runs / 2) };
                    if (t > 0 && pthread_create(&workers[t], NULL, run_part, &parts[t]) != 0)
                        die("start a thread", errno);
                }
                run_part(&parts[0]);
                for (uint32_t t = 1; t < threads; t++)
                    pthread_join(workers[t], NULL);
                if (state == 1)
                    bpf_map_delete_elem(xsks_fd, &q);
            }
        }
        double seconds = now() - start;
        uint64_t redirects = 0;
        for (uint64_t i = 0; i < runs; i++)
            redirects += retvals[i] == XDP_REDIRECT;
        printf("runs=%llu seconds=%.4f rate=%.0f redirects=%llu\n", (unsigned long long)runs, seconds, (double)runs / seconds,
               (unsigned long long)redirects);
        fflush(stdout);
    }
    return 0;
}
