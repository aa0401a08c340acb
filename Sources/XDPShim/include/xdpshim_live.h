#pragma once

/// Whether BPF_PROG_TEST_RUN runs the XDP program `prog_fd` in live-frame mode (BPF_F_TEST_XDP_LIVE_FRAMES,
/// Linux 5.18+): the frame goes through the program's verdict for real (XDP_PASS hands it to the calling
/// thread's namespace's stack), where normal mode only reports the verdict. Sends one 64-byte frame with an
/// all-zero IPv4 header, which the stack drops as malformed: call it from a scratch namespace. Returns 0 when
/// the kernel ran it, -errno when it refused.
int xdpshim_live_frames_probe(int prog_fd);
