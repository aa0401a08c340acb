// xsk_rx: a plain, batched libxdp AF_XDP receiver, the baseline for the built-in one (XSKSocket.swift).
//
// Same sizes as the built-in receiver: a UMEM of 4096 frames of 2048 bytes, fill / completion / RX rings of
// 2048, 2048 frames on the fill ring at the start, copy mode, batches of 64, each frame given back to the fill
// ring after the batch. It loads no program: it waits until a program is attached to IFACE (run it inside the
// lab's namespace), finds that program's `xsks_map` and writes its socket into slot QUEUE, then marks PORT in
// its `validator_ports`, the way the built-in stack registers its own sockets and ports. The lab must have no
// socket of its own on QUEUE (one queue takes one UMEM: a second bind fails with EBUSY).
//
// Every frame's UDP payload is read for the sequence payload (magic "XDPLSEQ\1", big-endian sequence number).
// It stops IDLE_MS after the last frame, after TIMEOUT_S without any, or on SIGTERM / SIGINT (xdplab ends the
// processes in a lab's namespaces when it tears the lab down), and prints one line:
//   received=N first=A last=B missing=M duplicates=D rx_dropped=.. rx_ring_full=.. fill_ring_empty=..
// where missing counts the sequence numbers between the first and last received that never arrived.
//
// usage: xsk_rx IFACE QUEUE PORT [TIMEOUT_S] [IDLE_MS]
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <endian.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#define FRAMES 4096
#define FRAME_SIZE 2048
#define RING 2048
#define BATCH 64
#define MAX_SEQ (1u << 25)

static volatile sig_atomic_t stopping;

static void stop(int signal) {
    (void)signal;
    stopping = 1;
}

static uint64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int die(const char *what, int code) {
    fprintf(stderr, "xsk_rx: %s: %s\n", what, strerror(code));
    exit(1);
}

// The attached program's map called `name`, waiting up to timeout_ms for a program to appear on ifindex.
static int find_map(int ifindex, const char *name, uint64_t timeout_ms) {
    uint64_t deadline = now_ms() + timeout_ms;
    uint32_t prog_id = 0;
    while (bpf_xdp_query_id(ifindex, 0, &prog_id) != 0 || prog_id == 0) {
        if (now_ms() > deadline) die("no XDP program attached", ETIMEDOUT);
        usleep(1000);
    }
    int prog = bpf_prog_get_fd_by_id(prog_id);
    if (prog < 0) die("open the attached program", errno);
    uint32_t ids[64];
    struct bpf_prog_info info = {0};
    uint32_t length = sizeof(info);
    info.nr_map_ids = 64;
    info.map_ids = (uint64_t)(uintptr_t)ids;
    if (bpf_obj_get_info_by_fd(prog, &info, &length)) die("read the program's info", errno);
    for (uint32_t i = 0; i < info.nr_map_ids && i < 64; i++) {
        int map = bpf_map_get_fd_by_id(ids[i]);
        if (map < 0) continue;
        struct bpf_map_info map_info = {0};
        uint32_t map_length = sizeof(map_info);
        if (!bpf_obj_get_info_by_fd(map, &map_info, &map_length) && strcmp(map_info.name, name) == 0) return map;
        close(map);
    }
    die(name, ENOENT);
    return -1;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: xsk_rx IFACE QUEUE PORT [TIMEOUT_S] [IDLE_MS]\n");
        return 2;
    }
    const char *iface = argv[1];
    uint32_t queue = (uint32_t)atoi(argv[2]);
    uint32_t port = (uint32_t)atoi(argv[3]);
    uint64_t timeout_ms = (argc > 4 ? (uint64_t)atoi(argv[4]) : 30) * 1000;
    uint64_t idle_ms = argc > 5 ? (uint64_t)atoi(argv[5]) : 1000;
    int ifindex = (int)if_nametoindex(iface);
    if (!ifindex) die(iface, errno);

    struct sigaction action = {0};
    action.sa_handler = stop;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    void *area = mmap(NULL, (size_t)FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) die("map the UMEM", errno);
    struct xsk_ring_prod fill;
    struct xsk_ring_cons completion, rx;
    memset(&fill, 0, sizeof(fill));
    memset(&completion, 0, sizeof(completion));
    memset(&rx, 0, sizeof(rx));
    struct xsk_umem_config umem_config = {
        .fill_size = RING, .comp_size = RING, .frame_size = FRAME_SIZE, .frame_headroom = 0, .flags = 0};
    struct xsk_umem *umem;
    int result = xsk_umem__create(&umem, area, (uint64_t)FRAMES * FRAME_SIZE, &fill, &completion, &umem_config);
    if (result) die("create the UMEM", -result);
    struct xsk_socket_config socket_config = {0};
    socket_config.rx_size = RING;
    socket_config.tx_size = 0;
    socket_config.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
    socket_config.bind_flags = XDP_COPY;
    struct xsk_socket *xsk;
    result = xsk_socket__create(&xsk, iface, queue, umem, &rx, NULL, &socket_config);
    if (result) die("create the AF_XDP socket", -result);

    uint32_t index;
    if (xsk_ring_prod__reserve(&fill, RING, &index) != RING) die("fill the fill ring", ENOSPC);
    for (uint32_t i = 0; i < RING; i++) *xsk_ring_prod__fill_addr(&fill, index + i) = (uint64_t)i * FRAME_SIZE;
    xsk_ring_prod__submit(&fill, RING);

    int map = find_map(ifindex, "xsks_map", timeout_ms);
    int fd = xsk_socket__fd(xsk);
    if (bpf_map_update_elem(map, &queue, &fd, 0)) die("write the socket into xsks_map", errno);
    int ports = find_map(ifindex, "validator_ports", timeout_ms);
    uint8_t one = 1;
    if (bpf_map_update_elem(ports, &port, &one, 0)) die("write the port into validator_ports", errno);

    uint8_t *seen = calloc(MAX_SEQ / 8, 1);
    uint64_t received = 0, duplicates = 0, first = UINT64_MAX, last = 0, unique = 0;
    uint64_t addresses[BATCH];
    struct pollfd descriptor = {.fd = fd, .events = POLLIN};
    uint64_t started = now_ms(), last_frame = 0;
    static const uint8_t magic[8] = {'X', 'D', 'P', 'L', 'S', 'E', 'Q', 1};
    while (!stopping) {
        uint64_t now = now_ms();
        if (last_frame ? now - last_frame > idle_ms : now - started > timeout_ms) break;
        if (poll(&descriptor, 1, 100) <= 0) continue;
        uint32_t count = xsk_ring_cons__peek(&rx, BATCH, &index);
        if (!count) continue;
        for (uint32_t i = 0; i < count; i++) {
            const struct xdp_desc *desc = xsk_ring_cons__rx_desc(&rx, index + i);
            const uint8_t *frame = xsk_umem__get_data(area, desc->addr);
            addresses[i] = desc->addr - desc->addr % FRAME_SIZE;
            received++;
            // Untagged Ethernet, IPv4, UDP: the sequence payload starts the UDP payload.
            if (desc->len < 14 + 20 + 8 + 24 || frame[12] != 0x08 || frame[13] != 0x00 || frame[23] != 17) continue;
            uint32_t udp = 14 + (frame[14] & 0x0f) * 4;
            if (udp + 8 + 24 > desc->len || memcmp(frame + udp + 8, magic, 8) != 0) continue;
            uint64_t sequence;
            memcpy(&sequence, frame + udp + 16, 8);
            sequence = be64toh(sequence);
            if (sequence >= MAX_SEQ) continue;
            if (seen[sequence / 8] & (1u << (sequence % 8))) { duplicates++; continue; }
            seen[sequence / 8] |= (uint8_t)(1u << (sequence % 8));
            unique++;
            if (sequence < first) first = sequence;
            if (sequence > last) last = sequence;
        }
        xsk_ring_cons__release(&rx, count);
        if (xsk_ring_prod__reserve(&fill, count, &index) == count) {
            for (uint32_t i = 0; i < count; i++) *xsk_ring_prod__fill_addr(&fill, index + i) = addresses[i];
            xsk_ring_prod__submit(&fill, count);
        }
        last_frame = now_ms();
    }
    struct xdp_statistics stats = {0};
    socklen_t length = sizeof(stats);
    getsockopt(fd, SOL_XDP, XDP_STATISTICS, &stats, &length);
    printf("received=%llu first=%lld last=%lld missing=%llu duplicates=%llu rx_dropped=%llu rx_ring_full=%llu "
           "fill_ring_empty=%llu\n",
           (unsigned long long)received, unique ? (long long)first : -1LL, unique ? (long long)last : -1LL,
           (unsigned long long)(unique ? last - first + 1 - unique : 0), (unsigned long long)duplicates,
           (unsigned long long)stats.rx_dropped, (unsigned long long)stats.rx_ring_full,
           (unsigned long long)stats.rx_fill_ring_empty_descs);
    xsk_socket__delete(xsk);
    xsk_umem__delete(umem);
    return 0;
}
