// xdplab doctor's probe program: passes everything. Compiled with BTF so that fexit can aim at it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int doctor_pass(struct xdp_md *ctx)
{
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
