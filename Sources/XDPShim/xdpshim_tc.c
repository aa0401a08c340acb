#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "xdpshim_tc.h"

struct xdpshim_tc_attachment {
    struct bpf_object *object;
    int ifindex;
    __u32 handle;
    __u32 priority;
    enum bpf_tc_attach_point point;
    bool created_hook;
};

struct xdpshim_tc_attachment *xdpshim_tc_attach_egress(const char *object_path, const char *program_name,
                                                       int ifindex, int *error, const char **stage) {
    return xdpshim_tc_attach(object_path, program_name, ifindex, false, error, stage);
}

struct xdpshim_tc_attachment *xdpshim_tc_attach(const char *object_path, const char *program_name, int ifindex,
                                                bool ingress, int *error, const char **stage) {
    enum bpf_tc_attach_point point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS;
    *error = 0;
    *stage = "open BPF object";
    struct bpf_object *object = bpf_object__open_file(object_path, NULL);
    if (!object) {
        *error = errno ? -errno : -EINVAL;
        return NULL;
    }
    *stage = "load BPF object";
    int err = bpf_object__load(object);
    if (err) goto fail;

    *stage = "find BPF program";
    struct bpf_program *program = bpf_object__find_program_by_name(object, program_name);
    if (!program) { err = -ENOENT; goto fail; }

    *stage = "create clsact hook";
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
    err = bpf_tc_hook_create(&hook);
    bool created = err == 0;
    if (err && err != -EEXIST) goto fail;

    *stage = ingress ? "attach tc ingress filter" : "attach tc egress filter";
    LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(program));
    err = bpf_tc_attach(&hook, &opts);
    if (err) {
        if (created) {
            hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
            bpf_tc_hook_destroy(&hook);
        }
        goto fail;
    }

    struct xdpshim_tc_attachment *attachment = calloc(1, sizeof(*attachment));
    if (!attachment) { err = -ENOMEM; goto fail; }
    attachment->object = object;
    attachment->ifindex = ifindex;
    attachment->handle = opts.handle;
    attachment->priority = opts.priority;
    attachment->point = point;
    attachment->created_hook = created;
    return attachment;

fail:
    *error = err;
    bpf_object__close(object);
    return NULL;
}

int xdpshim_tc_detach(struct xdpshim_tc_attachment *attachment) {
    if (!attachment) return 0;
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = attachment->ifindex, .attach_point = attachment->point);
    LIBBPF_OPTS(bpf_tc_opts, opts, .handle = attachment->handle, .priority = attachment->priority);
    int result = bpf_tc_detach(&hook, &opts);
    if (attachment->created_hook) {
        // Both attach points at once is how libbpf asks for the clsact qdisc itself to go.
        hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
        int err = bpf_tc_hook_destroy(&hook);
        if (!result) result = err;
    }
    xdpshim_tc_release(attachment);
    return result;
}

void xdpshim_tc_release(struct xdpshim_tc_attachment *attachment) {
    if (!attachment) return;
    bpf_object__close(attachment->object);
    free(attachment);
}

int xdpshim_tc_map_fd(const struct xdpshim_tc_attachment *attachment, const char *map_name) {
    struct bpf_map *map = bpf_object__find_map_by_name(attachment->object, map_name);
    return map ? bpf_map__fd(map) : -ENOENT;
}
