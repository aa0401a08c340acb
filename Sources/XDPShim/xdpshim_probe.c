#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <xdp/xsk.h>
#include <linux/if_xdp.h>
#include "xdpshim_probe.h"
#include "xdpshim_main_function.h"

int xdpshim_fexit_probe(uint32_t prog_id)
{
    int target = bpf_prog_get_fd_by_id(prog_id);
    if (target < 0)
        return -errno;
    uint32_t btf_id = 0, type_id = 0;
    int found = xdpshim_main_function(target, &btf_id, &type_id);
    if (found < 0) {
        close(target);
        return found;
    }
    // r0 = 0; exit
    struct bpf_insn instructions[] = {
        { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
        { .code = BPF_JMP | BPF_EXIT },
    };
    LIBBPF_OPTS(bpf_prog_load_opts, options, .expected_attach_type = BPF_TRACE_FEXIT,
                .attach_prog_fd = (uint32_t)target, .attach_btf_id = type_id);
    int probe = bpf_prog_load(BPF_PROG_TYPE_TRACING, "xdplab_probe", "GPL", instructions, 2, &options);
    int error = probe < 0 ? -errno : 0;
    if (probe >= 0)
        close(probe);
    close(target);
    return error;
}

int xdpshim_test_run_probe(int prog_fd)
{
    unsigned char frame[64];
    memset(frame, 0, sizeof(frame));
    frame[12] = 0x08;   // EtherType IPv4; the rest zero: any program returns some verdict for it
    // An xdplab tag of id 42 where a UDP payload would start, for doctor's per-packet verdict probe.
    memcpy(frame + 42, "XDPLAB\x07\x01", 8);
    frame[57] = 42;
    LIBBPF_OPTS(bpf_test_run_opts, options, .data_in = frame, .data_size_in = sizeof(frame), .repeat = 1);
    int err = bpf_prog_test_run_opts(prog_fd, &options);
    if (err < 0)
        return -errno;
    return (int)options.retval;
}

int xdpshim_xsk_bind_probe(const char *ifname, uint32_t queue, int zero_copy)
{
    const size_t frames = 64, frame_size = 2048, size = frames * frame_size;
    void *area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        return -errno;
    struct xsk_ring_prod fill;
    struct xsk_ring_cons completion, rx;
    struct xsk_umem *umem = NULL;
    struct xsk_umem_config umem_config = { .fill_size = 64, .comp_size = 64, .frame_size = frame_size };
    int err = xsk_umem__create(&umem, area, size, &fill, &completion, &umem_config);
    if (err) {
        munmap(area, size);
        return err;
    }
    struct xsk_socket *socket = NULL;
    struct xsk_socket_config config = {
        .rx_size = 64, .tx_size = 0, .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD, .xdp_flags = 0,
        .bind_flags = zero_copy ? XDP_ZEROCOPY : XDP_COPY,
    };
    err = xsk_socket__create(&socket, ifname, queue, umem, &rx, NULL, &config);
    if (socket)
        xsk_socket__delete(socket);
    xsk_umem__delete(umem);
    munmap(area, size);
    return err;
}
