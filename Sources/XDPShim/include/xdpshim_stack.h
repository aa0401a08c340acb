#pragma once
// Shims for the AF_XDP stack: each wraps something Swift cannot call or express directly.
#include <stddef.h>
#include <stdint.h>

struct bpf_object;

/// Sends libbpf's and libxdp's messages (warnings, verifier log) to a buffer instead of stderr.
/// The C print callbacks are variadic, which Swift cannot implement. Safe to call more than once.
void xdpshim_log_install(void);
/// Empties the message buffer.
void xdpshim_log_clear(void);
/// Copies the messages collected since the last clear into `buffer` (NUL-terminated, cut to fit);
/// returns the number of bytes copied, without the NUL.
size_t xdpshim_log_copy(char *buffer, size_t capacity);

/// Sets global variable `name` of an opened, not yet loaded object (in .rodata, .data or .bss) to
/// `size` bytes at `value`. Finds the offset through the object's BTF, whose iteration helpers are inline.
/// Returns 0, or -ENOENT when there is no such variable, -EINVAL when the size differs.
int xdpshim_set_global(struct bpf_object *object, const char *name, const void *value, size_t size);

/// Detaches the XDP program from `ifindex` only if it is still `expected_prog_fd`'s program
/// (bpf_xdp_detach with XDP_FLAGS_REPLACE and old_prog_fd, which needs the LIBBPF_OPTS macro).
/// Returns 0 or a negative errno (-EEXIST when another program is attached now).
int xdpshim_xdp_detach_if_ours(int ifindex, uint32_t mode_flags, int expected_prog_fd);

/// Opens a perf event for tracepoint `id` on one CPU, all processes (perf_event_open has no glibc wrapper).
/// A BPF program attached to it runs for the tracepoint on every CPU.
/// Returns the fd or a negative errno.
int xdpshim_tracepoint_open(uint64_t id, int cpu);

/// Reads the ids of `count` tracepoints named "group/event" from tracefs. Mounts tracefs on a private
/// thread in a mount namespace of its own, so nothing is mounted on the machine at any moment.
/// Returns 0, or a negative errno with `*failed_step` naming what failed.
int xdpshim_tracepoint_ids(const char *const *events, int count, uint64_t *ids, const char **failed_step);

/// ethtool statistics through SIOCETHTOOL (ioctl is variadic). `socket_fd` is any socket in the
/// interface's network namespace. Returns the number of counters (ETHTOOL_GSSET_INFO) or a negative errno.
int xdpshim_ethtool_stat_count(int socket_fd, const char *ifname);
/// Fills `names` (count × 32 bytes, ETH_GSTRING_LEN each) and `values` (count u64) for `count` counters
/// (ETHTOOL_GSTRINGS + ETHTOOL_GSTATS). Returns 0 or a negative errno (-EAGAIN when the count changed).
int xdpshim_ethtool_stat_read(int socket_fd, const char *ifname, uint32_t count, char *names, uint64_t *values);
