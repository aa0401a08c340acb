// SPDX-License-Identifier: GPL-2.0
// xdp-example-stack: a small AF_XDP application to learn from, and the "bring your own stack" command that
// xdplab labs run. It loads an XDP program, opens one AF_XDP socket per RX queue (copy mode), registers
// the sockets in the program's XSKMAP, attaches the program and counts what arrives.
//
// It can also replay three real outages on purpose:
//   --order attach-first --flags zero   packets meet an empty XSKMAP slot and are dropped (XDP_ABORTED)
//   --program-per-socket                a second service's program silently replaces the first one
//   --exit-after S --exit-status N      the stack dies without detaching; its program stays attached
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#define MAX_QUEUES 64            // xsks_map has 64 slots, keyed by queue id
#define FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define FRAMES 2048              // per socket; as many as the fill ring holds, so the fill ring can be kept full
#define RX_BATCH 64
#define BUSY_RETRY_MS 100
#define BUSY_RETRY_LIMIT 20      // 2 s: long enough for the kernel to release a previous owner's socket

// ---------------------------------------------------------------------------------------------------------
// Options

struct options {
    const char *iface;
    const char *obj_path;
    __u32 queues[MAX_QUEUES];
    int queue_count;
    __u8 ports[65536];           // ports[p] == 1: claim UDP destination port p
    int port_count;
    __u32 mode_flag;             // XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE
    bool attach_first;
    bool flags_zero;
    bool flags_given;
    double register_delay;
    bool register_delay_given;
    bool program_per_socket;
    double exit_after;           // < 0: never
    int exit_status;
    bool exit_status_given;
    bool verbose;
};

static struct options opt = {
    .mode_flag = XDP_FLAGS_DRV_MODE,
    .register_delay = 1.5,
    .exit_after = -1,
    .exit_status = 1,
};

static void usage(FILE *out)
{
    fprintf(out,
        "usage: xdp-example-stack --iface NAME --queues LIST --ports LIST --obj PATH [options]\n"
        "\n"
        "Loads PATH's XDP program, opens one AF_XDP socket (copy mode) per queue, registers each in the\n"
        "program's xsks_map at key = queue, fills validator_ports, attaches the program and counts packets\n"
        "per queue until SIGTERM or SIGINT, then detaches the program if it is still its own.\n"
        "\n"
        "required:\n"
        "  --iface NAME              interface to attach to\n"
        "  --queues LIST             RX queue ids, comma separated (0,1); each below %d\n"
        "  --ports LIST              UDP destination ports to claim: numbers and A-B ranges (8003-8005,9000)\n"
        "  --obj PATH                compiled BPF object with an XDP program, xsks_map and validator_ports\n"
        "options:\n"
        "  --mode native|generic     XDP attach mode (default native)\n"
        "  --order register-first|attach-first\n"
        "                            register-first (default): sockets, register, then attach, refusing to\n"
        "                            replace another program. attach-first: attach, wait --register-delay,\n"
        "                            then sockets + register (the seed outage: packets meet empty slots)\n"
        "  --flags pass|zero         fallback flags of bpf_redirect_map when a slot is empty: pass gives\n"
        "                            XDP_PASS, zero gives XDP_ABORTED (a drop). Default pass\n"
        "  --register-delay SECONDS  with attach-first: time between attach and registering (default 1.5)\n"
        "  --program-per-socket      each socket's service loads and attaches its own instance of the program,\n"
        "                            claiming only its share of the ports (dealt round-robin: the k-th port\n"
        "                            of the sorted list goes to the socket k mod N). Each later attach\n"
        "                            silently replaces the previous program: only the last socket still works\n"
        "  --exit-after SECONDS      simulate a crash: that long after \"ready\", exit without detaching\n"
        "  --exit-status N           status of that exit, 0-255 (default 1)\n"
        "  --verbose                 one line per received frame, libbpf/libxdp debug messages\n"
        "  --help                    this text\n"
        "exit status: 0 clean stop, 1 a setup step failed, 2 bad usage, N a simulated crash\n",
        MAX_QUEUES);
}

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    fputs("xdp-example-stack: ", stderr);
    vfprintf(stderr, format, ap);
    va_end(ap);
    fputs("\n(see --help)\n", stderr);
    exit(2);
}

// A whole decimal number in [min, max], or a usage error naming the option.
static long parse_number(const char *text, long min, long max, const char *what)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < min || value > max)
        usage_error("%s: '%s' is not a number from %ld to %ld", what, text, min, max);
    return value;
}

static double parse_seconds(const char *text, const char *what)
{
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(value) || value < 0)
        usage_error("%s: '%s' is not a number of seconds >= 0", what, text);
    return value;
}

static void parse_queues(const char *list)
{
    char *copy = strdup(list), *save = NULL;
    bool seen[MAX_QUEUES] = { false };
    if (!copy)
        usage_error("out of memory");
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        __u32 queue = (__u32)parse_number(item, 0, MAX_QUEUES - 1, "--queues");
        if (seen[queue])
            usage_error("--queues: queue %u is listed twice", queue);
        seen[queue] = true;
        opt.queues[opt.queue_count++] = queue;
    }
    free(copy);
    if (opt.queue_count == 0)
        usage_error("--queues: no queue in '%s'", list);
}

static void parse_ports(const char *list)
{
    char *copy = strdup(list), *save = NULL;
    if (!copy)
        usage_error("out of memory");
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(item, '-');
        long first, last;
        if (dash) {
            *dash = '\0';
            first = parse_number(item, 0, 65535, "--ports");
            last = parse_number(dash + 1, 0, 65535, "--ports");
            if (first > last)
                usage_error("--ports: range %ld-%ld runs backwards", first, last);
        } else {
            first = last = parse_number(item, 0, 65535, "--ports");
        }
        for (long port = first; port <= last; port++) {
            if (!opt.ports[port])
                opt.port_count++;
            opt.ports[port] = 1;
        }
    }
    free(copy);
    if (opt.port_count == 0)
        usage_error("--ports: no port in '%s'", list);
}

static void parse_options(int argc, char **argv)
{
    enum { O_IFACE = 256, O_QUEUES, O_PORTS, O_OBJ, O_MODE, O_ORDER, O_FLAGS, O_DELAY, O_PER_SOCKET,
           O_EXIT_AFTER, O_EXIT_STATUS, O_VERBOSE, O_HELP };
    static const struct option longs[] = {
        { "iface", required_argument, NULL, O_IFACE },
        { "queues", required_argument, NULL, O_QUEUES },
        { "ports", required_argument, NULL, O_PORTS },
        { "obj", required_argument, NULL, O_OBJ },
        { "mode", required_argument, NULL, O_MODE },
        { "order", required_argument, NULL, O_ORDER },
        { "flags", required_argument, NULL, O_FLAGS },
        { "register-delay", required_argument, NULL, O_DELAY },
        { "program-per-socket", no_argument, NULL, O_PER_SOCKET },
        { "exit-after", required_argument, NULL, O_EXIT_AFTER },
        { "exit-status", required_argument, NULL, O_EXIT_STATUS },
        { "verbose", no_argument, NULL, O_VERBOSE },
        { "help", no_argument, NULL, O_HELP },
        { NULL, 0, NULL, 0 },
    };
    bool have_queues = false, have_ports = false;
    int c;

    opterr = 0;   // we print our own message, and exit 2
    // The leading ':' makes getopt return ':' (not '?') for an option missing its value.
    while ((c = getopt_long(argc, argv, ":", longs, NULL)) != -1) {
        switch (c) {
        case O_IFACE: opt.iface = optarg; break;
        case O_QUEUES:
            if (have_queues)
                usage_error("--queues given twice");
            parse_queues(optarg);
            have_queues = true;
            break;
        case O_PORTS:
            if (have_ports)
                usage_error("--ports given twice");
            parse_ports(optarg);
            have_ports = true;
            break;
        case O_OBJ: opt.obj_path = optarg; break;
        case O_MODE:
            if (!strcmp(optarg, "native"))
                opt.mode_flag = XDP_FLAGS_DRV_MODE;
            else if (!strcmp(optarg, "generic"))
                opt.mode_flag = XDP_FLAGS_SKB_MODE;
            else
                usage_error("--mode: '%s' is neither native nor generic", optarg);
            break;
        case O_ORDER:
            if (!strcmp(optarg, "register-first"))
                opt.attach_first = false;
            else if (!strcmp(optarg, "attach-first"))
                opt.attach_first = true;
            else
                usage_error("--order: '%s' is neither register-first nor attach-first", optarg);
            break;
        case O_FLAGS:
            if (!strcmp(optarg, "pass"))
                opt.flags_zero = false;
            else if (!strcmp(optarg, "zero"))
                opt.flags_zero = true;
            else
                usage_error("--flags: '%s' is neither pass nor zero", optarg);
            opt.flags_given = true;
            break;
        case O_DELAY:
            opt.register_delay = parse_seconds(optarg, "--register-delay");
            opt.register_delay_given = true;
            break;
        case O_PER_SOCKET: opt.program_per_socket = true; break;
        case O_EXIT_AFTER: opt.exit_after = parse_seconds(optarg, "--exit-after"); break;
        case O_EXIT_STATUS:
            opt.exit_status = (int)parse_number(optarg, 0, 255, "--exit-status");
            opt.exit_status_given = true;
            break;
        case O_VERBOSE: opt.verbose = true; break;
        case O_HELP: usage(stdout); exit(0);
        case ':': usage_error("%s needs a value", argv[optind - 1]);
        default: usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        usage_error("unexpected argument '%s'", argv[optind]);
    if (!opt.iface || !have_queues || !have_ports || !opt.obj_path)
        usage_error("--iface, --queues, --ports and --obj are required");
    if (opt.register_delay_given && !opt.attach_first)
        usage_error("--register-delay only applies with --order attach-first");
    if (opt.exit_status_given && opt.exit_after < 0)
        usage_error("--exit-status only applies with --exit-after");
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

static volatile sig_atomic_t stop_requested;

static void on_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// Sleeps in short steps so that SIGTERM during --register-delay is honoured promptly.
static void sleep_seconds(double seconds)
{
    double until = now_seconds() + seconds;
    while (!stop_requested && now_seconds() < until) {
        struct timespec step = { 0, 20 * 1000 * 1000 };
        nanosleep(&step, NULL);
    }
}

// libbpf and libxdp report through these: warnings always, debug chatter only with --verbose.
static int print_libbpf(enum libbpf_print_level level, const char *format, va_list ap)
{
    if (level == LIBBPF_DEBUG && !opt.verbose)
        return 0;
    return vfprintf(stderr, format, ap);
}

static int print_libxdp(enum libxdp_print_level level, const char *format, va_list ap)
{
    if (level == LIBXDP_DEBUG && !opt.verbose)
        return 0;
    return vfprintf(stderr, format, ap);
}

// libbpf and libxdp return -errno; errno itself may have been overwritten by then.
static int fail(const char *step, int negative_error)
{
    fprintf(stderr, "xdp-example-stack: %s: %s\n", step, strerror(-negative_error));
    return negative_error;
}

// ---------------------------------------------------------------------------------------------------------
// AF_XDP sockets: one UMEM and one socket per queue

struct xsk {
    __u32 queue;
    void *area;                  // the UMEM: FRAMES frames of FRAME_SIZE bytes
    struct xsk_umem *umem;
    struct xsk_socket *socket;
    // Zero-initialised on purpose: libxdp 1.3 does not set the fill ring's cached_prod.
    struct xsk_ring_prod fill;
    struct xsk_ring_cons completion;
    struct xsk_ring_cons rx;
    unsigned long long packets;
};

static struct xsk sockets[MAX_QUEUES];
static int socket_count;

// Deletes the socket and the UMEM (not the memory behind it) and zeroes the rings for a fresh start.
static void xsk_close(struct xsk *x)
{
    if (x->socket)
        xsk_socket__delete(x->socket);   // also removes it from every XSKMAP
    x->socket = NULL;
    if (x->umem)
        xsk_umem__delete(x->umem);
    x->umem = NULL;
    memset(&x->fill, 0, sizeof(x->fill));
    memset(&x->completion, 0, sizeof(x->completion));
    memset(&x->rx, 0, sizeof(x->rx));
}

// Creates the UMEM and the socket, bound to (iface, queue) in copy mode, and hands the kernel every frame.
static int xsk_open(struct xsk *x, __u32 queue)
{
    size_t size = (size_t)FRAMES * FRAME_SIZE;
    char step[128];
    int err;

    x->queue = queue;
    // Page-aligned anonymous memory, as the UMEM requires. It is memcg-accounted: no RLIMIT_MEMLOCK needed.
    x->area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (x->area == MAP_FAILED) {
        x->area = NULL;
        snprintf(step, sizeof(step), "map %zu bytes of UMEM for queue %u", size, queue);
        return fail(step, -errno);
    }

    const struct xsk_umem_config umem_config = {
        .fill_size = FRAMES,
        .comp_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,   // required, though this stack never transmits
        .frame_size = FRAME_SIZE,
        .frame_headroom = 0,
        .flags = 0,
    };
    const struct xsk_socket_config socket_config = {
        .rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
        .tx_size = 0,
        // We load and attach our own program; libxdp must not load its default one.
        .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
        .xdp_flags = 0,
        .bind_flags = XDP_COPY,                          // veth has no zero-copy
    };

    // EBUSY: another socket owns this queue, or the previous owner (a stack restarted in a hurry) is still
    // being released by the kernel. Start over from a fresh UMEM a few times rather than reuse a half-set-up one.
    for (int attempt = 0;; attempt++) {
        err = xsk_umem__create(&x->umem, x->area, size, &x->fill, &x->completion, &umem_config);
        if (err) {
            snprintf(step, sizeof(step), "create UMEM for queue %u", queue);
            return fail(step, err);
        }
        err = xsk_socket__create(&x->socket, opt.iface, queue, x->umem, &x->rx, NULL, &socket_config);
        if (err != -EBUSY || attempt == BUSY_RETRY_LIMIT)
            break;
        if (attempt == 0)
            printf("queue %u busy (another socket is bound to it, or a previous one is still being released); "
                   "retrying for up to %d ms\n", queue, BUSY_RETRY_LIMIT * BUSY_RETRY_MS);
        x->socket = NULL;
        xsk_close(x);
        struct timespec pause = { 0, BUSY_RETRY_MS * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    if (err) {
        x->socket = NULL;
        snprintf(step, sizeof(step), "create AF_XDP socket on %s queue %u (copy mode)", opt.iface, queue);
        return fail(step, err);
    }

    // Fill the fill ring completely: the kernel can only deliver into frames we have given it.
    __u32 index;
    if (xsk_ring_prod__reserve(&x->fill, FRAMES, &index) != FRAMES) {
        snprintf(step, sizeof(step), "reserve %d slots on the fill ring of queue %u", FRAMES, queue);
        return fail(step, -ENOSPC);
    }
    for (__u32 i = 0; i < FRAMES; i++)
        *xsk_ring_prod__fill_addr(&x->fill, index + i) = (__u64)i * FRAME_SIZE;
    xsk_ring_prod__submit(&x->fill, FRAMES);
    return 0;
}

// Drains what the RX ring holds and gives each frame straight back to the fill ring.
static void xsk_drain(struct xsk *x)
{
    __u32 rx_index, fill_index;
    __u32 count = xsk_ring_cons__peek(&x->rx, RX_BATCH, &rx_index);
    if (count == 0)
        return;
    // Always succeeds: there are only FRAMES frames, so the fill ring has room for every frame we hold.
    // If it ever did not, leave the frames on the RX ring rather than lose them.
    if (xsk_ring_prod__reserve(&x->fill, count, &fill_index) != count) {
        xsk_ring_cons__cancel(&x->rx, count);
        return;
    }
    for (__u32 i = 0; i < count; i++) {
        const struct xdp_desc *desc = xsk_ring_cons__rx_desc(&x->rx, rx_index + i);
        if (opt.verbose)
            printf("queue %u: frame of %u bytes\n", x->queue, desc->len);
        // The kernel may hand back an address inside the frame (headroom); return the frame's start.
        *xsk_ring_prod__fill_addr(&x->fill, fill_index + i) = desc->addr - desc->addr % FRAME_SIZE;
    }
    xsk_ring_prod__submit(&x->fill, count);
    xsk_ring_cons__release(&x->rx, count);
    x->packets += count;
}

// ---------------------------------------------------------------------------------------------------------
// Services: one loaded program instance and the sockets it serves. Normally a single service owns every
// socket and every port; with --program-per-socket there is one service per socket.

struct service {
    struct bpf_object *obj;
    int prog_fd;
    __u32 prog_id;
    int xsks_map_fd;
    bool attached;
    int first_socket;
    int socket_count;
};

static struct service services[MAX_QUEUES];
static int service_count;
static int ifindex;

// Sets the program's `const volatile __u64 fallback_flags` before load. Such a global lives in the
// object's .rodata map; BTF says at which offset. Returns 0, 1 when the object has no such variable, or
// a negative error.
static int set_fallback_flags(struct bpf_object *obj, __u64 flags)
{
    const struct btf *btf = bpf_object__btf(obj);
    if (!btf)
        return 1;
    int section_id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
    if (section_id < 0)
        return 1;
    const struct btf_type *section = btf__type_by_id(btf, section_id);
    const struct btf_var_secinfo *var = btf_var_secinfos(section);
    for (int i = 0; i < btf_vlen(section); i++, var++) {
        const struct btf_type *type = btf__type_by_id(btf, var->type);
        if (strcmp(btf__name_by_offset(btf, type->name_off), "fallback_flags"))
            continue;
        if (var->size != sizeof(flags))
            return fail("set fallback_flags (it is not 8 bytes)", -EINVAL);
        struct bpf_map *rodata = bpf_object__find_map_by_name(obj, ".rodata");
        size_t size;
        const void *initial = rodata ? bpf_map__initial_value(rodata, &size) : NULL;
        if (!initial || var->offset + sizeof(flags) > size)
            return fail("find the .rodata map holding fallback_flags", -ENOENT);
        char *copy = malloc(size);
        if (!copy)
            return fail("set fallback_flags", -ENOMEM);
        memcpy(copy, initial, size);
        memcpy(copy + var->offset, &flags, sizeof(flags));
        int err = bpf_map__set_initial_value(rodata, copy, size);
        free(copy);
        return err ? fail("set fallback_flags", err) : 0;
    }
    return 1;
}

// Opens the object, sets its fallback flags, loads it and fills validator_ports with this service's share.
static int service_load(struct service *s, int index)
{
    char step[128];
    int err;

    s->prog_fd = -1;
    s->obj = bpf_object__open_file(opt.obj_path, NULL);
    if (!s->obj) {
        err = -errno;   // libbpf 1.x: NULL and errno on failure
        snprintf(step, sizeof(step), "open BPF object %s", opt.obj_path);
        return fail(step, err);
    }

    // The first XDP program in the object is the one we attach.
    struct bpf_program *prog = NULL, *p;
    bpf_object__for_each_program(p, s->obj) {
        if (bpf_program__type(p) == BPF_PROG_TYPE_XDP) {
            prog = p;
            break;
        }
    }
    if (!prog) {
        snprintf(step, sizeof(step), "find an XDP program (SEC(\"xdp\")) in %s", opt.obj_path);
        return fail(step, -ENOENT);
    }

    err = set_fallback_flags(s->obj, opt.flags_zero ? 0 : XDP_PASS);
    if (err < 0)
        return err;
    bool has_fallback = err == 0;
    if (!has_fallback) {
        if (opt.flags_given) {
            fprintf(stderr, "xdp-example-stack: --flags: %s has no `const volatile __u64 fallback_flags`\n",
                    opt.obj_path);
            return -ENOENT;
        }
        printf("program has no fallback_flags variable; its own fallback applies\n");
    }

    err = bpf_object__load(s->obj);
    if (err)
        return fail("load the BPF object (verifier log above)", err);
    s->prog_fd = bpf_program__fd(prog);

    struct bpf_prog_info info = { 0 };
    __u32 info_size = sizeof(info);
    err = bpf_obj_get_info_by_fd(s->prog_fd, &info, &info_size);
    if (err)
        return fail("read the program's id", -errno);
    s->prog_id = info.id;

    s->xsks_map_fd = bpf_object__find_map_fd_by_name(s->obj, "xsks_map");
    int ports_fd = bpf_object__find_map_fd_by_name(s->obj, "validator_ports");
    if (s->xsks_map_fd < 0 || ports_fd < 0)
        return fail("find the maps xsks_map and validator_ports in the object", -ENOENT);

    // Round-robin: with one service per socket, the k-th port goes to service k mod N.
    int claimed = 0, k = 0;
    for (__u32 port = 0; port < 65536; port++) {
        if (!opt.ports[port])
            continue;
        if (k++ % service_count != index)
            continue;
        __u8 one = 1;
        if (bpf_map_update_elem(ports_fd, &port, &one, BPF_ANY)) {
            snprintf(step, sizeof(step), "write port %u into validator_ports", port);
            return fail(step, -errno);
        }
        if (opt.verbose || opt.program_per_socket)
            printf("program id %u claims UDP port %u\n", s->prog_id, port);
        claimed++;
    }
    printf("loaded program id %u from %s (fallback flags %s, %d port%s)\n", s->prog_id, opt.obj_path,
           !has_fallback ? "built in" : opt.flags_zero ? "0 = XDP_ABORTED" : "XDP_PASS", claimed,
           claimed == 1 ? "" : "s");
    return 0;
}

// Opens this service's sockets and writes each into its program's xsks_map at key = queue.
static int service_register(struct service *s)
{
    char step[128];
    for (int i = s->first_socket; i < s->first_socket + s->socket_count; i++) {
        struct xsk *x = &sockets[i];
        int err = xsk_open(x, opt.queues[i]);
        if (err)
            return err;
        int fd = xsk_socket__fd(x->socket);
        if (bpf_map_update_elem(s->xsks_map_fd, &x->queue, &fd, BPF_ANY)) {
            snprintf(step, sizeof(step), "register the socket of queue %u in xsks_map", x->queue);
            return fail(step, -errno);
        }
        printf("socket on queue %u registered in program id %u's xsks_map\n", x->queue, s->prog_id);
    }
    return 0;
}

static __u32 attached_prog_id(void)
{
    __u32 id = 0;
    if (bpf_xdp_query_id(ifindex, opt.mode_flag, &id))
        return 0;
    return id;
}

static int service_attach(struct service *s, bool may_replace)
{
    __u32 flags = opt.mode_flag;
    // The safe default: fail with EBUSY rather than silently replace whatever program is there.
    if (!may_replace)
        flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
    __u32 previous = attached_prog_id();
    int err = bpf_xdp_attach(ifindex, s->prog_fd, flags, NULL);
    if (err) {
        char step[128];
        snprintf(step, sizeof(step), "attach program id %u to %s (%s mode%s)", s->prog_id, opt.iface,
                 opt.mode_flag == XDP_FLAGS_DRV_MODE ? "native" : "generic",
                 may_replace ? "" : ", only if no program is attached");
        if (err == -EBUSY && previous)
            fprintf(stderr, "xdp-example-stack: program id %u is already attached to %s\n", previous, opt.iface);
        return fail(step, err);
    }
    s->attached = true;
    if (previous && previous != s->prog_id)
        printf("attached program id %u to %s, REPLACING program id %u\n", s->prog_id, opt.iface, previous);
    else
        printf("attached program id %u to %s\n", s->prog_id, opt.iface);
    return 0;
}

// Detaches the service's program, but only if it is still the one attached: never take down a program
// that another service or a newer stack put there. XDP_FLAGS_REPLACE makes the kernel check that again
// at the moment of detaching, so a replacement in between is not undone either.
static void service_detach(struct service *s)
{
    if (!s->attached)
        return;
    __u32 current = attached_prog_id();
    if (current != s->prog_id) {
        if (current)
            printf("not detaching: program id %u on %s is not ours (ours: %u)\n", current, opt.iface, s->prog_id);
        else
            printf("not detaching: no program on %s any more (ours: %u)\n", opt.iface, s->prog_id);
        return;
    }
    LIBBPF_OPTS(bpf_xdp_attach_opts, expected, .old_prog_fd = s->prog_fd);
    int err = bpf_xdp_detach(ifindex, opt.mode_flag | XDP_FLAGS_REPLACE, &expected);
    if (err)
        fail("detach our program", err);
    else
        printf("detached program id %u from %s\n", s->prog_id, opt.iface);
}

// ---------------------------------------------------------------------------------------------------------

static void print_counts(void)
{
    unsigned long long total = 0;
    for (int i = 0; i < socket_count; i++) {
        struct xsk *x = &sockets[i];
        struct xdp_statistics stats = { 0 };
        socklen_t size = sizeof(stats);
        total += x->packets;
        if (x->socket &&
            !getsockopt(xsk_socket__fd(x->socket), SOL_XDP, XDP_STATISTICS, &stats, &size))
            printf("queue %u: %llu packets (socket dropped %llu, fill ring empty %llu)\n", x->queue, x->packets,
                   (unsigned long long)stats.rx_dropped, (unsigned long long)stats.rx_fill_ring_empty_descs);
        else
            printf("queue %u: %llu packets\n", x->queue, x->packets);
    }
    printf("total: %llu packets\n", total);
}

static void shut_down(void)
{
    // Detach first, newest first: packets stop meeting our program before its sockets go away.
    for (int i = service_count - 1; i >= 0; i--)
        service_detach(&services[i]);
    for (int i = 0; i < socket_count; i++) {
        xsk_close(&sockets[i]);
        if (sockets[i].area)
            munmap(sockets[i].area, (size_t)FRAMES * FRAME_SIZE);
        sockets[i].area = NULL;
    }
    for (int i = 0; i < service_count; i++)
        bpf_object__close(services[i].obj);
}

// Returns 0 when stopped by a signal, a negative error when polling failed.
static int receive_until_stopped(double ready_at)
{
    struct pollfd fds[MAX_QUEUES];
    for (int i = 0; i < socket_count; i++)
        fds[i] = (struct pollfd){ .fd = xsk_socket__fd(sockets[i].socket), .events = POLLIN };

    while (!stop_requested) {
        if (opt.exit_after >= 0 && now_seconds() - ready_at >= opt.exit_after) {
            // The simulated crash: no detach, no socket cleanup. The kernel closes the sockets (and so
            // empties their XSKMAP slots); the program stays attached to the interface.
            printf("simulated crash: exiting with status %d without detaching program id %u\n",
                   opt.exit_status, attached_prog_id());
            fflush(stdout);
            _exit(opt.exit_status);
        }
        // A timeout keeps the loop checking the stop flag and the crash timer even when no packet comes.
        int ready = poll(fds, (nfds_t)socket_count, 100);
        if (ready < 0 && errno != EINTR)
            return fail("poll the AF_XDP sockets", -errno);
        for (int i = 0; i < socket_count; i++)
            xsk_drain(&sockets[i]);
    }
    return 0;
}

int main(int argc, char **argv)
{
    // Line-buffered even into a pipe: a lab reads progress lines as they happen.
    setvbuf(stdout, NULL, _IOLBF, 0);
    parse_options(argc, argv);

    libbpf_set_print(print_libbpf);
    libxdp_set_print(print_libxdp);

    // No SA_RESTART: a signal interrupts poll() and the sleeps, and the loops look at the flag.
    struct sigaction action = { .sa_handler = on_signal };
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);

    ifindex = (int)if_nametoindex(opt.iface);
    if (!ifindex) {
        char step[128];
        snprintf(step, sizeof(step), "find interface %s", opt.iface);
        fail(step, -errno);
        return 1;
    }

    socket_count = opt.queue_count;
    service_count = opt.program_per_socket ? opt.queue_count : 1;
    for (int i = 0; i < service_count; i++) {
        services[i].first_socket = opt.program_per_socket ? i : 0;
        services[i].socket_count = opt.program_per_socket ? 1 : opt.queue_count;
    }

    int err = 0;
    for (int i = 0; i < service_count && !err && !stop_requested; i++) {
        struct service *s = &services[i];
        // register-first refuses to replace another program; the replay modes do not.
        bool may_replace = opt.attach_first || i > 0;
        err = service_load(s, i);
        if (err)
            break;
        if (opt.attach_first) {
            // The seed outage: between attach and register, matching packets meet an empty XSKMAP slot.
            err = service_attach(s, may_replace);
            if (!err) {
                printf("waiting %.3g s before registering sockets\n", opt.register_delay);
                sleep_seconds(opt.register_delay);
            }
            if (!err && !stop_requested)
                err = service_register(s);
        } else {
            err = service_register(s);
            if (!err)
                err = service_attach(s, may_replace);
        }
    }

    bool ran = false;
    if (!err && !stop_requested) {
        ran = true;
        printf("ready: program id %u attached to %s, sockets on queues ", attached_prog_id(), opt.iface);
        for (int i = 0; i < opt.queue_count; i++)
            printf("%s%u", i ? "," : "", opt.queues[i]);
        printf("\n");
        fflush(stdout);
        err = receive_until_stopped(now_seconds());
    }

    // Also when stopped during setup (all zero then), so a lab always finds the counts.
    if (!err || ran)
        print_counts();
    shut_down();
    return err ? 1 : 0;
}
