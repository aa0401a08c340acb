/// Something a lab needs from the kernel or the machine beyond what every lab needs. A lab lists them under
/// `requires:`; where one is missing the lab is skipped, visibly, instead of failing. `xdplab doctor` checks each.
public enum Requirement: String, Sendable, Equatable, CaseIterable {
    /// fentry/fexit programs on an XDP program (per-packet verdicts); refused on some kernels (EPERM).
    case fexit
    /// The netdevsim driver (`/sys/bus/netdevsim`).
    case netdevsim
    /// A KVM guest that boots (a short probe), not just `/dev/kvm`.
    case kvm
    /// Zero-copy AF_XDP on the lab's devices (never on veth).
    case zeroCopy = "zero-copy"
    /// `xdp:xdp_exception` and friends readable from tracefs.
    case xdpTracepoints = "xdp-tracepoints"
    /// BPF_PROG_TEST_RUN on an XDP program.
    case progTestRun = "prog-test-run"
    /// A bpffs mount at /sys/fs/bpf.
    case bpffs
}
