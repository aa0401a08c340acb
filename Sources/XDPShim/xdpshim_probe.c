#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "xdpshim_probe.h"

int xdpshim_fexit_probe(uint32_t prog_id)
{
    int target = bpf_prog_get_fd_by_id(prog_id);
    if (target < 0)
        return -errno;
    // The main function's BTF type id is the first func_info record.
    struct bpf_func_info functions[1];
    struct bpf_prog_info info;
    memset(&info, 0, sizeof(info));
    memset(functions, 0, sizeof(functions));
    info.nr_func_info = 1;
    info.func_info_rec_size = sizeof(functions[0]);
    info.func_info = (uint64_t)(unsigned long)functions;
    uint32_t length = sizeof(info);
    int result = bpf_obj_get_info_by_fd(target, &info, &length);
    if (result < 0) {
        close(target);
        return result;
    }
    if (info.nr_func_info == 0 || info.btf_id == 0) {
        close(target);
        return -ENOENT;
    }
    // r0 = 0; exit
    struct bpf_insn instructions[] = {
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
        { .code = BPF_JMP | BPF_EXIT },
    };
    LIBBPF_OPTS(bpf_prog_load_opts, options, .expected_attach_type = BPF_TRACE_FEXIT,
                .attach_prog_fd = (uint32_t)target, .attach_btf_id = functions[0].type_id);
    int probe = bpf_prog_load(BPF_PROG_TYPE_TRACING, "xdplab_probe", "GPL", instructions, 2, &options);
    int error = probe < 0 ? -errno : 0;
    if (probe >= 0)
        close(probe);
    close(target);
    return error;
}
