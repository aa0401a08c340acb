import Glibc
import CLibBPF
import BPFSupport
import SystemSupport

/// The XDP program attached to an interface, as the kernel reports it, whoever loaded and attached it.
public struct AttachedProgram: Sendable, Equatable, CustomStringConvertible {
    public let id: UInt32
    /// `bpf_prog_info.name` (at most 15 characters).
    public let name: String
    /// Hex of `bpf_prog_info.tag`, the kernel's hash of the loaded instructions.
    public let tag: String
    /// Which attachment holds it: `.native` for the driver (XDP_FLAGS_DRV_MODE), `.generic` for the skb
    /// path; nil for an offloaded program.
    public let mode: XDPAttachMode?
    /// The maps it uses, by id.
    public let mapIDs: [UInt32]

    public init(id: UInt32, name: String, tag: String, mode: XDPAttachMode?, mapIDs: [UInt32]) {
        self.id = id
        self.name = name
        self.tag = tag
        self.mode = mode
        self.mapIDs = mapIDs
    }

    /// "redirect_flags0 (id 41, tag 8f2c…, generic)".
    public var description: String {
        let place = mode.map { $0 == .native ? "native" : "generic" } ?? "offloaded"
        return "\(name) (id \(id), tag \(tag), \(place))"
    }
}

public enum AttachedPrograms {
    /// The XDP program attached to `interface` in `namespace` right now, learnt over netlink (libbpf
    /// `bpf_xdp_query` inside the namespace), nil if none. When the driver and the skb path both hold one
    /// (the kernel allows it), the driver's is the one packets meet first and is returned.
    public static func xdp(namespace: String, interface: String) throws -> AttachedProgram? {
        let attempted = "query the XDP program of \(namespace):\(interface)"
        let (id, mode): (UInt32, XDPAttachMode?) = try NetworkNamespace.run(namespace) {
            let ifindex = Int32(bitPattern: if_nametoindex(interface))
            guard ifindex > 0 else { throw SystemError("\(attempted): find \(interface)", errno: Glibc.errno) }
            // LIBBPF_OPTS is a macro: the size field is filled here instead.
            var options = bpf_xdp_query_opts()
            options.sz = MemoryLayout<bpf_xdp_query_opts>.size
            try negativeErrno(attempted, bpf_xdp_query(ifindex, 0, &options))
            if options.drv_prog_id != 0 { return (options.drv_prog_id, .native) }
            if options.skb_prog_id != 0 { return (options.skb_prog_id, .generic) }
            return (options.hw_prog_id, nil)
        }
        guard id != 0 else { return nil }
        let info: BPFProgramInfo
        do {
            info = try BPFProgramInfo(id: id)
        } catch let error as SystemError where error.errno == ENOENT {
            return nil   // detached and unloaded between the query and now
        }
        return AttachedProgram(id: info.id, name: info.name, tag: info.tag, mode: mode, mapIDs: info.mapIDs)
    }
}

/// How an XDP program is attached: in the driver (`XDP_FLAGS_DRV_MODE`) or on the generic skb path
/// (`XDP_FLAGS_SKB_MODE`).
public enum XDPAttachMode: Sendable {
    case native, generic
}
