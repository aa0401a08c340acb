#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "xdpshim_main_function.h"

int xdpshim_main_function(int prog_fd, uint32_t *btf_id, uint32_t *type_id)
{
    struct bpf_func_info functions[1];
    struct bpf_prog_info info;
    memset(&info, 0, sizeof(info));
    memset(functions, 0, sizeof(functions));
    info.nr_func_info = 1;
    info.func_info_rec_size = sizeof(functions[0]);
    info.func_info = (uint64_t)(unsigned long)functions;
    uint32_t length = sizeof(info);
    if (bpf_obj_get_info_by_fd(prog_fd, &info, &length) < 0)
        return -errno;
    if (info.nr_func_info == 0 || info.btf_id == 0)
        return -ENOENT;
    *btf_id = info.btf_id;
    *type_id = functions[0].type_id;
    return 0;
}
