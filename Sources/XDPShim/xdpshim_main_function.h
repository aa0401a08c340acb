#pragma once
#include <stdint.h>

// The program's main function in BTF: the id of the program's BTF object and its first func_info record's type
// (what fexit aims at). Returns 0, -errno when the kernel refuses the query, -ENOENT when the program has no BTF.
int xdpshim_main_function(int prog_fd, uint32_t *btf_id, uint32_t *type_id);
