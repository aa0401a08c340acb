import Glibc
import CLibBPF
import BPFSupport
import SystemSupport
import KernelObservation

/// A recovery drill's deliberate break: a program put on the stack's interface in place of whatever is attached
/// there, the way a wrong deployment would. Only ever inside the lab's own namespace. The program stays loaded
/// while this value lives; whoever detaches it (the watchdog, the namespace's deletion) ends the break.
public final class NetworkBreak: @unchecked Sendable {
    // @unchecked: owns a libbpf object (C pointers); it is only released, once, by whoever holds the last reference.
    /// What was attached before, if anything, and what is now.
    public let replaced: AttachedProgram?
    public let attached: AttachedProgram
    private let object: BPFObject

    private init(object: BPFObject, replaced: AttachedProgram?, attached: AttachedProgram) {
        self.object = object
        self.replaced = replaced
        self.attached = attached
    }

    /// Loads the `.o` at `objectPath` and attaches its XDP program to `interface` in `namespace`, in the mode of the
    /// program it replaces (native when there is none), atomically in place of that program (`XDP_FLAGS_REPLACE`).
    /// The C function is `bpf_xdp_attach`.
    public static func attach(objectPath: String, namespace: String, interface: String) throws -> NetworkBreak {
        let object = try BPFObject(path: objectPath)
        guard let program = object.xdpProgram else {
            throw StackError("\(object.fileName) has no XDP program (section \"xdp\") to break the network with")
        }
        try object.load()
        let replaced = try AttachedPrograms.xdp(namespace: namespace, interface: interface)
        let modeFlags = UInt32(replaced?.mode == .generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE)
        let attempted = "break \(namespace):\(interface) by attaching '\(program.name)'"
            + (replaced.map { " in place of \($0.name) (id \($0.id))" } ?? "")
        try NetworkNamespace.run(namespace) {
            let ifindex = Int32(bitPattern: if_nametoindex(interface))
            guard ifindex > 0 else { throw SystemError("\(attempted): find \(interface)", errno: Glibc.errno) }
            var options = bpf_xdp_attach_opts()
            options.sz = MemoryLayout<bpf_xdp_attach_opts>.size
            var flags = modeFlags
            var oldFD: Int32 = -1
            if let replaced {
                oldFD = try negativeErrno("\(attempted): open the attached program", bpf_prog_get_fd_by_id(replaced.id))
                options.old_prog_fd = oldFD
                flags |= UInt32(XDP_FLAGS_REPLACE)
            }
            defer { if oldFD >= 0 { close(oldFD) } }
            try negativeErrno(attempted, bpf_xdp_attach(ifindex, program.fd, flags, &options))
        }
        guard let attached = try AttachedPrograms.xdp(namespace: namespace, interface: interface),
              attached.id == (try program.info().id) else {
            throw StackError("\(attempted): another program was attached meanwhile")
        }
        return NetworkBreak(object: object, replaced: replaced, attached: attached)
    }
}
