#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "xdpshim_verdicts.h"
#include "xdpshim_main_function.h"

struct xdpshim_verdicts {
    struct bpf_object *object;
    struct bpf_link *links[3];
    struct ring_buffer *ring;
    int target_fd;
    int overflows_fd;
    struct xdpshim_verdict *out;
    int max;
    int count;
};

static int take(void *context, void *data, size_t size)
{
    struct xdpshim_verdicts *recorder = context;
    if (size < sizeof(struct xdpshim_verdict))
        return 0;
    memcpy(&recorder->out[recorder->count++], data, sizeof(struct xdpshim_verdict));
    // A negative answer stops libbpf's loop once the caller's buffer is full (this record is consumed, the rest
    // stays in the ring for the next poll); only a positive count may follow it.
    return recorder->count >= recorder->max ? -ENOSPC : 0;
}

// The name of the program's main function: its first func_info record's type in the program's BTF.
static int main_function(int prog_fd, char *name, size_t size)
{
    uint32_t btf_id = 0, type_id = 0;
    int known = xdpshim_main_function(prog_fd, &btf_id, &type_id);
    if (known < 0)
        return known;
    struct btf *btf = btf__load_from_kernel_by_id(btf_id);
    if (!btf)
        return -errno;
    const struct btf_type *type = btf__type_by_id(btf, type_id);
    const char *found = type ? btf__name_by_offset(btf, type->name_off) : NULL;
    int err = found && *found ? 0 : -ENOENT;
    if (!err)
        snprintf(name, size, "%s", found);
    btf__free(btf);
    return err;
}

static int attach(struct xdpshim_verdicts *recorder, int slot, const char *program_name)
{
    struct bpf_program *program = bpf_object__find_program_by_name(recorder->object, program_name);
    if (!program)
        return -ENOENT;
    recorder->links[slot] = bpf_program__attach_trace(program);
    return recorder->links[slot] ? 0 : -errno;
}

int xdpshim_verdicts_open(const char *object_path, uint32_t prog_id, struct xdpshim_verdicts **out,
                          const char **failed_step)
{
    struct xdpshim_verdicts *recorder = calloc(1, sizeof(*recorder));
    if (!recorder)
        return -ENOMEM;
    recorder->target_fd = -1;
    char function[128];
    int err;
    *failed_step = "find the XDP program";
    recorder->target_fd = bpf_prog_get_fd_by_id(prog_id);
    if (recorder->target_fd < 0) {
        err = -errno;
        goto fail;
    }
    *failed_step = "read the XDP program's main function from its BTF";
    err = main_function(recorder->target_fd, function, sizeof(function));
    if (err)
        goto fail;
    *failed_step = "open the recorder object";
    recorder->object = bpf_object__open_file(object_path, NULL);
    if (!recorder->object) {
        err = -errno;
        goto fail;
    }
    struct bpf_program *fexit = bpf_object__find_program_by_name(recorder->object, "record_verdict");
    struct bpf_map *ring = bpf_object__find_map_by_name(recorder->object, "verdicts");
    struct bpf_map *overflows = bpf_object__find_map_by_name(recorder->object, "overflows");
    if (!fexit || !ring || !overflows) {
        err = -ENOENT;
        goto fail;
    }
    *failed_step = "aim fexit at the XDP program";
    err = bpf_program__set_attach_target(fexit, recorder->target_fd, function);
    if (err)
        goto fail;
    *failed_step = "load the fexit recorder";
    err = bpf_object__load(recorder->object);
    if (err)
        goto fail;
    *failed_step = "attach fexit to the XDP program";
    if ((err = attach(recorder, 0, "record_verdict")))
        goto fail;
    *failed_step = "attach tp_btf/xdp_redirect";
    if ((err = attach(recorder, 1, "redirect_done")))
        goto fail;
    *failed_step = "attach tp_btf/xdp_redirect_err";
    if ((err = attach(recorder, 2, "redirect_failed")))
        goto fail;
    *failed_step = "create the ring buffer reader";
    recorder->ring = ring_buffer__new(bpf_map__fd(ring), take, recorder, NULL);
    if (!recorder->ring) {
        err = -errno;
        goto fail;
    }
    recorder->overflows_fd = bpf_map__fd(overflows);
    *failed_step = NULL;
    *out = recorder;
    return 0;
fail:
    xdpshim_verdicts_close(recorder);
    return err < 0 ? err : -EINVAL;
}

int xdpshim_verdicts_poll(struct xdpshim_verdicts *recorder, struct xdpshim_verdict *out, int max, int timeout_ms)
{
    recorder->out = out;
    recorder->max = max;
    recorder->count = 0;
    int err = ring_buffer__poll(recorder->ring, timeout_ms);
    recorder->out = NULL;
    if (err < 0 && err != -ENOSPC)
        return err;
    return recorder->count;
}

uint64_t xdpshim_verdicts_overflows(struct xdpshim_verdicts *recorder)
{
    uint32_t zero = 0;
    uint64_t count = 0;
    bpf_map_lookup_elem(recorder->overflows_fd, &zero, &count);
    return count;
}

void xdpshim_verdicts_close(struct xdpshim_verdicts *recorder)
{
    if (!recorder)
        return;
    if (recorder->ring)
        ring_buffer__free(recorder->ring);
    for (int i = 0; i < 3; i++)
        if (recorder->links[i])
            bpf_link__destroy(recorder->links[i]);
    if (recorder->object)
        bpf_object__close(recorder->object);
    if (recorder->target_fd >= 0)
        close(recorder->target_fd);
    free(recorder);
}
