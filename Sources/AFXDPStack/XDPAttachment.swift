import Glibc
import CLibBPF
import XDPShim
import BPFSupport
import SystemSupport
import KernelObservation

/// The program under test attached to one interface inside a namespace, never replacing another
/// program: attach uses `XDP_FLAGS_UPDATE_IF_NOEXIST`, detach only removes our own program.
struct XDPAttachment {
    let namespace: String
    let interface: String
    let ifindex: Int32
    let modeFlags: UInt32
    let program: BPFProgram

    /// The C functions are `bpf_xdp_query_id` and `bpf_xdp_attach`, called on a thread in the namespace.
    static func attach(_ program: BPFProgram, namespace: String, interface: String,
                       mode: XDPAttachMode) throws -> XDPAttachment {
        let modeFlags = UInt32(mode == .native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE)
        let modeName = mode == .native ? "native" : "generic"
        let target = "\(namespace):\(interface)"
        let attempted = "attach XDP program '\(program.name)' to \(target) (\(modeName))"
        return try NetworkNamespace.run(namespace) {
            let ifindex = Int32(bitPattern: if_nametoindex(interface))
            guard ifindex > 0 else { throw SystemError("\(attempted): find \(interface)", errno: Glibc.errno) }
            for (flags, name) in [(XDP_FLAGS_DRV_MODE, "native"), (XDP_FLAGS_SKB_MODE, "generic")] {
                var present: UInt32 = 0
                try negativeErrno("\(attempted): query attached programs", bpf_xdp_query_id(ifindex, Int32(flags), &present))
                if present != 0 {
                    let other = (try? BPFProgramInfo(id: present)).map { " '\($0.name)'" } ?? ""
                    throw StackError("refusing to \(attempted): \(target) already has XDP program \(present)\(other) "
                                     + "attached (\(name)); xdplab never replaces a program it did not attach")
                }
            }
            let result = BPFLog.withMessages { messages in
                (bpf_xdp_attach(ifindex, program.fd, UInt32(XDP_FLAGS_UPDATE_IF_NOEXIST) | modeFlags, nil), messages())
            }
            if result.0 == -EOPNOTSUPP && mode == .native {
                throw CapabilityError(capability: "native XDP on \(interface)",
                                      detail: SystemError(attempted, errno: EOPNOTSUPP, extra: result.1).description)
            }
            if result.0 == -EEXIST || result.0 == -EBUSY {
                throw StackError("refusing to \(attempted): another XDP program was attached meanwhile")
            }
            try negativeErrno(attempted, result.0)
            return XDPAttachment(namespace: namespace, interface: interface, ifindex: ifindex,
                                 modeFlags: modeFlags, program: program)
        }
    }

    /// Puts `program` in place of ours with a plain attach (no `XDP_FLAGS_UPDATE_IF_NOEXIST`), as a second,
    /// independent loader would. Refuses unless the attached program is still ours.
    func replace(with replacement: BPFProgram) throws -> XDPAttachment {
        let attempted = "attach XDP program '\(replacement.name)' to \(namespace):\(interface) over '\(program.name)'"
        let ourID = try program.info().id
        return try NetworkNamespace.run(namespace) {
            var present: UInt32 = 0
            try negativeErrno("\(attempted): query attached programs", bpf_xdp_query_id(ifindex, Int32(modeFlags), &present))
            guard present == ourID else {
                throw StackError("refusing to \(attempted): the attached program (id \(present)) is not ours")
            }
            try negativeErrno(attempted, bpf_xdp_attach(ifindex, replacement.fd, modeFlags, nil))
            return XDPAttachment(namespace: namespace, interface: interface, ifindex: ifindex,
                                 modeFlags: modeFlags, program: replacement)
        }
    }

    /// Detaches if our program is still the attached one; returns what went wrong, if anything.
    /// A namespace or interface that is already gone took the attachment with it.
    func detach() -> String? {
        do {
            let result = try NetworkNamespace.run(namespace) {
                xdpshim_xdp_detach_if_ours(ifindex, modeFlags, program.fd)
            }
            switch -result {
            case 0, ENODEV: return nil
            case EEXIST: return "left \(namespace):\(interface) alone: another XDP program replaced '\(program.name)'"
            default: return SystemError("detach XDP program '\(program.name)' from \(namespace):\(interface)",
                                        errno: -result).description
            }
        } catch let error as SystemError where error.errno == ENOENT {
            return nil   // the namespace is gone
        } catch {
            return "\(error)"
        }
    }
}
