import Glibc
import CLibBPF
import XDPShim
import BPFSupport
import SystemSupport
import Sequencing
import KernelObservation

/// Detaches the XDP program from an interface and attaches the same program again a moment later (fault
/// injection: "detach and re-attach mid-run"). The program stays loaded meanwhile, so it comes back with
/// its maps (`xsks_map` and its sockets, a map ring and its contents) as they were. Only a program that is
/// still the one found attached is detached, and the re-attach never replaces another program.
public enum XDPBounce {
    /// Returns when no program was attached (from the start of the detach to the end of the attach), on
    /// CLOCK_MONOTONIC. The C functions are `bpf_xdp_query_id`,
    /// `bpf_prog_get_fd_by_id`, `bpf_xdp_detach` (through `xdpshim_xdp_detach_if_ours`) and `bpf_xdp_attach`.
    public static func bounce(namespace: String, interface: String, mode: XDPAttachMode,
                              detachedFor nanoseconds: UInt64) throws -> StallWindow {
        let modeFlags = UInt32(mode == .native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE)
        let place = "\(namespace):\(interface)"
        return try NetworkNamespace.run(namespace) {
            let ifindex = Int32(bitPattern: if_nametoindex(interface))
            guard ifindex > 0 else { throw SystemError("find \(place) to re-attach its XDP program", errno: Glibc.errno) }
            var id: UInt32 = 0
            try negativeErrno("query the XDP program on \(place)", bpf_xdp_query_id(ifindex, Int32(modeFlags), &id))
            guard id != 0 else { throw StackError("re-attach on \(place): no XDP program is attached") }
            // Our own reference keeps the program loaded while it is detached.
            let fd = try negativeErrno("open XDP program \(id) on \(place)", bpf_prog_get_fd_by_id(id))
            defer { close(fd) }
            let name = (try? BPFProgramInfo(fd: fd).name) ?? "\(id)"
            // Detaching takes the driver a while (veth stops its XDP queues), and packets are passed or
            // dropped from the moment it begins: the gap starts before the call.
            let detaching = MonotonicClock.now()
            try negativeErrno("detach XDP program '\(name)' from \(place)", xdpshim_xdp_detach_if_ours(ifindex, modeFlags, fd))
            MonotonicClock.wait(until: MonotonicClock.now() + nanoseconds)
            let result = bpf_xdp_attach(ifindex, fd, UInt32(XDP_FLAGS_UPDATE_IF_NOEXIST) | modeFlags, nil)
            let attached = MonotonicClock.now()
            if result == -EEXIST || result == -EBUSY {
                throw StackError("re-attach '\(name)' to \(place): another XDP program was attached meanwhile")
            }
            try negativeErrno("re-attach XDP program '\(name)' to \(place)", result)
            return StallWindow(start: detaching, end: attached)
        }
    }
}

/// An XDP program attached by xdplab outside `AFXDPStack` (the map-ring receiver), with the stack's own
/// rules: never over another program, and detached only while it is still ours.
public final class StandaloneXDPAttachment: @unchecked Sendable {
    // @unchecked: attached and detached by the one owner that created it; `deinit` detaches what is left.
    private var attachment: XDPAttachment?

    /// The C functions are `bpf_xdp_query_id` and `bpf_xdp_attach`, on a thread in the namespace.
    public init(_ program: BPFProgram, namespace: String, interface: String, mode: XDPAttachMode) throws {
        attachment = try XDPAttachment.attach(program, namespace: namespace, interface: interface, mode: mode)
    }

    /// Detaches; returns what went wrong, if anything. Safe to call twice.
    @discardableResult
    public func detach() -> String? {
        defer { attachment = nil }
        return attachment?.detach()
    }

    /// Forgets the program without detaching it: the kernel keeps it attached after this process exits
    /// (`xdplab run --keep`); deleting the namespace removes it.
    public func leaveAttached() { attachment = nil }

    deinit { detach() }
}
