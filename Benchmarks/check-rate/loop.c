// SPDX-License-Identifier: GPL-2.0
// check-rate-loop: the plain C baseline for `xdplab check`'s speed. It runs the same matrix as the check
// (the leading frames on every RX queue, each later frame on one queue in turn; first with every xsks_map
// slot empty, then with a real AF_XDP socket in the slot of the frame's queue) as a bare loop of
// bpf_prog_test_run_opts calls, and prints the rate.
//
// usage: check-rate-loop OBJECT FRAMES QUEUES PORTS NETNS [ROUNDS]
//   OBJECT  compiled XDP program (section "xdp", XSKMAP xsks_map, optional validator_ports)
//   FRAMES  frames written by `xdplab check --save-frames` (XDPLABF1 format)
//   PORTS   comma-separated validator ports written into validator_ports
//   NETNS   namespace (/run/netns/NETNS) holding veth check0 with QUEUES RX queues
// Prints one line per round: "runs=N seconds=S rate=R redirects=D".
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
    err = xsk_socket__create(&socket, "check0", queue, umem, rx, NULL, &config);
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

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s OBJECT FRAMES QUEUES PORTS NETNS [ROUNDS]\n", argv[0]);
        return 2;
    }
    uint32_t queues = (uint32_t)atoi(argv[3]);
    int rounds = argc > 6 ? atoi(argv[6]) : 1;

    struct bpf_object *object = bpf_object__open_file(argv[1], NULL);
    if (!object)
        die("open the object", errno);
    int err = bpf_object__load(object);
    if (err)
        die("load the object", err);
    // The program in section "xdp", else the first XDP program, as xdplab picks it.
    struct bpf_program *program = NULL, *cursor = NULL;
    while ((cursor = bpf_object__next_program(object, cursor))) {
        if (strcmp(bpf_program__section_name(cursor), "xdp") == 0) {
            program = cursor;
            break;
        }
        if (!program && bpf_program__type(cursor) == BPF_PROG_TYPE_XDP)
            program = cursor;
    }
    struct bpf_map *xsks = bpf_object__find_map_by_name(object, "xsks_map");
    if (!program || !xsks)
        die("find the XDP program and xsks_map", ENOENT);
    int prog_fd = bpf_program__fd(program), xsks_fd = bpf_map__fd(xsks);

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
        struct xdp_md ctx = { .ingress_ifindex = (uint32_t)ifindex };
        LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
        double start = now();
        for (uint32_t q = 0; q < queues; q++)
            bpf_map_delete_elem(xsks_fd, &q);
        for (uint32_t state = 0; state < 2; state++) {
            for (uint32_t q = 0; q < queues; q++) {
                if (state == 1 && (err = bpf_map_update_elem(xsks_fd, &q, &sockets[q], BPF_ANY)))
                    die("register a socket", err);
                ctx.rx_queue_index = q;
                uint32_t *out = retvals + state * (runs / 2);
                // Every frame below `every` on this queue, then every queues-th later frame.
                for (uint32_t i = 0; i < every; i++)
                    out[(size_t)q * every + i] = run_one(prog_fd, &opts, &ctx, bytes + offsets[i], lengths[i]);
                for (uint32_t i = every + q; i < count; i += queues)
                    out[(size_t)queues * every + (i - every)] = run_one(prog_fd, &opts, &ctx, bytes + offsets[i], lengths[i]);
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
