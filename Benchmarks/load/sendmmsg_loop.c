// The plain C baseline of Benchmarks/load: one AF_PACKET socket bound to an interface sends one frame over and
// over in sendmmsg batches for a number of seconds, as fast as it can. Run it inside the sender's namespace.
// usage: sendmmsg_loop IFNAME FRAME_HEX_FILE SECONDS
// prints: sent=N refused=N seconds=S rate=R
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 32

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static size_t read_frame(const char *path, unsigned char *frame, size_t room) {
    FILE *file = fopen(path, "r");
    if (!file) { perror(path); exit(2); }
    size_t length = 0;
    unsigned byte;
    while (length < room && fscanf(file, "%2x", &byte) == 1) frame[length++] = (unsigned char)byte;
    fclose(file);
    return length;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s IFNAME FRAME_HEX_FILE SECONDS\n", argv[0]); return 2; }
    unsigned char frame[2048];
    size_t length = read_frame(argv[2], frame, sizeof(frame));
    double seconds = atof(argv[3]);
    int fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (fd < 0) { perror("socket"); return 1; }
    struct sockaddr_ll address = { .sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(argv[1]) };
    if (!address.sll_ifindex || bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0) { perror("bind"); return 1; }

    struct iovec vectors[BATCH];
    struct mmsghdr messages[BATCH];
    memset(messages, 0, sizeof(messages));
    for (int i = 0; i < BATCH; i++) {
        vectors[i] = (struct iovec){ .iov_base = frame, .iov_len = length };
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    long long sent = 0, refused = 0;
    double start = now(), end = start + seconds, current = start;
    while ((current = now()) < end) {
        int result = sendmmsg(fd, messages, BATCH, 0);
        if (result > 0) sent += result;
        else if (errno == ENOBUFS) { sent++; refused++; }
        else if (errno != EAGAIN && errno != EINTR) { perror("sendmmsg"); return 1; }
    }
    double elapsed = now() - start;
    printf("sent=%lld refused=%lld seconds=%.3f rate=%.0f\n", sent, refused, elapsed, sent / elapsed);
    return 0;
}
