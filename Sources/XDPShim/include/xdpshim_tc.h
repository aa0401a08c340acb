#pragma once
#include <stdbool.h>
// tc (clsact) attachment of a BPF program, for the traffic layer's queue steering and load tally.
// A C shim because bpf_tc_hook and bpf_tc_opts are filled with LIBBPF_OPTS, a macro Swift cannot use.

/// One BPF object loaded and attached to the clsact egress hook of one interface.
struct xdpshim_tc_attachment;

/// Opens and loads the BPF object at `object_path` (bpf_object__open_file, bpf_object__load), creates
/// the clsact hook of `ifindex` if missing (bpf_tc_hook_create) and attaches `program_name` on egress
/// (bpf_tc_attach). Netlink talks to the calling thread's network namespace, so call it from a thread
/// inside the interface's namespace. Returns NULL and stores a negative errno in `*error` on failure;
/// `*stage` then names the step that failed.
struct xdpshim_tc_attachment *xdpshim_tc_attach_egress(const char *object_path, const char *program_name,
                                                       int ifindex, int *error, const char **stage);

/// The same on egress (`ingress` false) or ingress (`ingress` true).
struct xdpshim_tc_attachment *xdpshim_tc_attach(const char *object_path, const char *program_name, int ifindex,
                                                bool ingress, int *error, const char **stage);

/// The descriptor of the attached object's map `map_name` (bpf_object__find_map_by_name), or -ENOENT.
int xdpshim_tc_map_fd(const struct xdpshim_tc_attachment *attachment, const char *map_name);

/// Detaches the filter (bpf_tc_detach), removes the clsact hook if this attachment created it
/// (bpf_tc_hook_destroy), closes the object and frees the attachment. Call it from the same namespace.
/// Returns 0 or the first negative errno met; the attachment is freed either way.
int xdpshim_tc_detach(struct xdpshim_tc_attachment *attachment);

/// Closes the object and frees the attachment without talking to the kernel's tc layer: for when the
/// namespace, and with it the hook, is already gone.
void xdpshim_tc_release(struct xdpshim_tc_attachment *attachment);
