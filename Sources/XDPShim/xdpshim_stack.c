#define _GNU_SOURCE
#include "xdpshim_stack.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/perf_event.h>
#include <linux/sockios.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

// ---- libbpf / libxdp messages ----------------------------------------------------------------------

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buffer[256 * 1024];
static size_t log_length;

static void log_append(const char *format, va_list args)
{
    pthread_mutex_lock(&log_lock);
    size_t room = sizeof(log_buffer) - log_length;
    if (room > 1) {
        int written = vsnprintf(log_buffer + log_length, room, format, args);
        if (written > 0)
            log_length += (size_t)written < room ? (size_t)written : room - 1;
    }
    pthread_mutex_unlock(&log_lock);
}

static int libbpf_message(enum libbpf_print_level level, const char *format, va_list args)
{
    if (level != LIBBPF_DEBUG)
        log_append(format, args);
    return 0;
}

static int libxdp_message(enum libxdp_print_level level, const char *format, va_list args)
{
    if (level != LIBXDP_DEBUG)
        log_append(format, args);
    return 0;
}

void xdpshim_log_install(void)
{
    libbpf_set_print(libbpf_message);
    libxdp_set_print(libxdp_message);
}

void xdpshim_log_clear(void)
{
    pthread_mutex_lock(&log_lock);
    log_length = 0;
    pthread_mutex_unlock(&log_lock);
}

size_t xdpshim_log_copy(char *buffer, size_t capacity)
{
    if (capacity == 0)
        return 0;
    pthread_mutex_lock(&log_lock);
    size_t length = log_length < capacity - 1 ? log_length : capacity - 1;
    memcpy(buffer, log_buffer, length);
    buffer[length] = '\0';
    pthread_mutex_unlock(&log_lock);
    return length;
}

// ---- globals of an opened object -----------------------------------------------------------------

int xdpshim_set_global(struct bpf_object *object, const char *name, const void *value, size_t size)
{
    struct btf *btf = bpf_object__btf(object);
    if (!btf)
        return -ENOENT;
    for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
        const struct btf_type *section = btf__type_by_id(btf, id);
        if (!btf_is_datasec(section))
            continue;
        const struct btf_var_secinfo *info = btf_var_secinfos(section);
        for (__u16 i = 0; i < btf_vlen(section); i++, info++) {
            const struct btf_type *var = btf__type_by_id(btf, info->type);
            if (strcmp(btf__name_by_offset(btf, var->name_off), name) != 0)
                continue;
            if (info->size != size)
                return -EINVAL;
            // Internal maps are found by their section name (".rodata", ".data", ".bss").
            struct bpf_map *map = bpf_object__find_map_by_name(object, btf__name_by_offset(btf, section->name_off));
            if (!map)
                return -ENOENT;
            size_t length = 0;
            const void *initial = bpf_map__initial_value(map, &length);
            if (!initial || info->offset + size > length)
                return -EINVAL;
            char *copy = malloc(length);
            if (!copy)
                return -ENOMEM;
            memcpy(copy, initial, length);
            memcpy(copy + info->offset, value, size);
            int err = bpf_map__set_initial_value(map, copy, length);
            free(copy);
            return err;
        }
    }
    return -ENOENT;
}

// ---- XDP detach ------------------------------------------------------------------------------------

int xdpshim_xdp_detach_if_ours(int ifindex, uint32_t mode_flags, int expected_prog_fd)
{
    LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = expected_prog_fd);
    return bpf_xdp_detach(ifindex, mode_flags | XDP_FLAGS_REPLACE, &opts);
}

// ---- tracepoints -----------------------------------------------------------------------------------

int xdpshim_tracepoint_open(uint64_t id, int cpu)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.size = sizeof(attr);
    attr.config = id;
    attr.sample_period = 1;
    attr.wakeup_events = 1;
    long fd = syscall(__NR_perf_event_open, &attr, -1 /* every process */, cpu, -1 /* no group */,
                      PERF_FLAG_FD_CLOEXEC);
    return fd < 0 ? -errno : (int)fd;
}

struct tracepoint_job {
    const char *const *events;
    int count;
    uint64_t *ids;
    const char *failed_step;
    int result;
};

static int read_id(const char *root, const char *event, uint64_t *id)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/events/%s/id", root, event);
    FILE *file = fopen(path, "re");
    if (!file)
        return -errno;
    unsigned long long value = 0;
    int matched = fscanf(file, "%llu", &value);
    fclose(file);
    if (matched != 1)
        return -EINVAL;
    *id = value;
    return 0;
}

static int read_ids(const char *root, struct tracepoint_job *job)
{
    for (int i = 0; i < job->count; i++) {
        int err = read_id(root, job->events[i], &job->ids[i]);
        if (err) {
            job->failed_step = job->events[i];
            return err;
        }
    }
    return 0;
}

// Where tracefs is already mounted and visible (a guest kernel mounts it at boot; so does the host outside
// `ip netns exec`), its ids are read there: mounting it again in a guest fails with EBUSY.
static int read_ids_from_existing_mount(struct tracepoint_job *job)
{
    static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
    for (unsigned i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        char probe[512];
        snprintf(probe, sizeof(probe), "%s/events", roots[i]);
        if (access(probe, R_OK) != 0)
            continue;
        if (read_ids(roots[i], job) == 0)
            return 0;
    }
    return -ENOENT;
}

// Runs on its own thread: the mount namespace it unshares, and the tracefs mount in it, end with the thread.
static void *tracepoint_ids_thread(void *argument)
{
    struct tracepoint_job *job = argument;
    const char *root = "/sys/kernel/tracing";
    if (read_ids_from_existing_mount(job) == 0) {
        job->failed_step = NULL;
        job->result = 0;
        return NULL;
    }
    if (unshare(CLONE_NEWNS) != 0) {
        job->failed_step = "unshare a private mount namespace";
        job->result = -errno;
        return NULL;
    }
    // Without this the new mount would propagate back to the machine's shared mounts.
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        job->failed_step = "make the private mount namespace's mounts private";
        job->result = -errno;
        return NULL;
    }
    if (mount("tracefs", root, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
        job->failed_step = "mount tracefs on /sys/kernel/tracing (private mount namespace)";
        job->result = -errno;
        return NULL;
    }
    job->failed_step = NULL;
    job->result = read_ids(root, job);
    umount2(root, MNT_DETACH);
    return NULL;
}

int xdpshim_tracepoint_ids(const char *const *events, int count, uint64_t *ids, const char **failed_step)
{
    struct tracepoint_job job = { .events = events, .count = count, .ids = ids, .failed_step = NULL, .result = 0 };
    pthread_t thread;
    int err = pthread_create(&thread, NULL, tracepoint_ids_thread, &job);
    if (err) {
        *failed_step = "start the tracefs thread";
        return -err;
    }
    pthread_join(thread, NULL);
    *failed_step = job.failed_step;
    return job.result;
}

// ---- ethtool statistics ----------------------------------------------------------------------------

static int ethtool(int socket_fd, const char *ifname, void *request)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
    ifr.ifr_data = request;
    return ioctl(socket_fd, SIOCETHTOOL, &ifr) == 0 ? 0 : -errno;
}

int xdpshim_ethtool_stat_count(int socket_fd, const char *ifname)
{
    // One set asked for, so the kernel appends one u32 length after the header.
    union {
        struct ethtool_sset_info info;
        char bytes[sizeof(struct ethtool_sset_info) + sizeof(__u32)];
    } request;
    memset(&request, 0, sizeof(request));
    request.info.cmd = ETHTOOL_GSSET_INFO;
    request.info.sset_mask = 1ULL << ETH_SS_STATS;
    int err = ethtool(socket_fd, ifname, &request);
    if (err)
        return err;
    return request.info.sset_mask ? (int)request.info.data[0] : 0;
}

int xdpshim_ethtool_stat_read(int socket_fd, const char *ifname, uint32_t count, char *names, uint64_t *values)
{
    struct ethtool_gstrings *strings = calloc(1, sizeof(*strings) + (size_t)count * ETH_GSTRING_LEN);
    struct ethtool_stats *stats = calloc(1, sizeof(*stats) + (size_t)count * sizeof(__u64));
    int err = -ENOMEM;
    if (!strings || !stats)
        goto out;
    strings->cmd = ETHTOOL_GSTRINGS;
    strings->string_set = ETH_SS_STATS;
    strings->len = count;
    stats->cmd = ETHTOOL_GSTATS;
    stats->n_stats = count;
    err = ethtool(socket_fd, ifname, strings);
    if (!err)
        err = ethtool(socket_fd, ifname, stats);
    if (!err && (strings->len != count || stats->n_stats != count))
        err = -EAGAIN;
    if (!err) {
        memcpy(names, strings->data, (size_t)count * ETH_GSTRING_LEN);
        memcpy(values, stats->data, (size_t)count * sizeof(__u64));
    }
out:
    free(strings);
    free(stats);
    return err;
}
