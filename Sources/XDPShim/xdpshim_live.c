#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "xdpshim_live.h"

int xdpshim_live_frames_probe(int prog_fd)
{
    unsigned char frame[64];
    memset(frame, 0, sizeof(frame));
    frame[12] = 0x08;   // EtherType IPv4; the zero header behind it fails the stack's checks
    // LIBBPF_OPTS is a macro Swift cannot expand: the reason this probe is C.
    LIBBPF_OPTS(bpf_test_run_opts, options, .data_in = frame, .data_size_in = sizeof(frame), .repeat = 1,
                .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
    return bpf_prog_test_run_opts(prog_fd, &options) < 0 ? -errno : 0;
}
