import Foundation
import Glibc
import CLibBPF
import XDPShim
import BPFSupport
import Packets
import SystemSupport

/// Counts load-phase frames that reached the kernel, per load template.
///
/// A tc clsact ingress program on the stack's interface (`bpf/ingress_tally.bpf.c`) runs after XDP, so it sees
/// exactly the frames XDP passed, as the capture tap does, but at any rate: it only counts tags, in a per-CPU
/// array. The C functions are `bpf_tc_attach` (through the shim), `bpf_map_update_elem` and `bpf_map_lookup_elem`.
public final class IngressTally {
    /// Must match OFFSET_SLOTS in the BPF source.
    static let offsetSlots = 64
    static let programName = "count_load_tags"

    public let namespace: String
    public let interface: String
    private var attachment: OpaquePointer?
    private let tallyFD: Int32

    /// Compiles the program into `workDirectory`, attaches it to the ingress hook of `interface` inside
    /// `namespace` and tells it where tags sit (`tagOffsets`: byte offsets from the frame's start).
    public static func install(namespace: String, interface: String, tagOffsets: [Int],
                               workDirectory: String) throws -> IngressTally {
        guard let folder = Bundle.module.url(forResource: "bpf", withExtension: nil) else {
            throw SystemError("find the traffic layer's bpf resource folder", errno: ENOENT)
        }
        let object = try BPFCompiler.object(for: folder.appendingPathComponent("ingress_tally.bpf.c").path,
                                            outputDirectory: workDirectory)
        let attached = try NetworkNamespace.run(namespace) { () throws -> OpaquePointer in
            let ifindex = if_nametoindex(interface)
            guard ifindex != 0 else { throw SystemError("find interface \(namespace):\(interface)", errno: errno) }
            var error: Int32 = 0
            var stage: UnsafePointer<CChar>?
            guard let attached = xdpshim_tc_attach(object, programName, Int32(ifindex), true, &error, &stage) else {
                let step = stage.map { String(cString: $0) } ?? "attach"
                throw SystemError("\(step) for tc program '\(programName)' (\(object)) on \(namespace):\(interface) ingress",
                                  errno: -error)
            }
            return attached
        }
        let tally = IngressTally(namespace: namespace, interface: interface, attachment: attached,
                                 tallyFD: xdpshim_tc_map_fd(attached, "tally"))
        do {
            try tally.write(offsets: tagOffsets, into: xdpshim_tc_map_fd(attached, "tag_offsets"))
        } catch {
            tally.remove()
            throw error
        }
        return tally
    }

    private init(namespace: String, interface: String, attachment: OpaquePointer, tallyFD: Int32) {
        self.namespace = namespace
        self.interface = interface
        self.attachment = attachment
        self.tallyFD = tallyFD
    }

    /// Each offset, then 4 and 8 bytes less (VLAN tags the kernel removed before tc ingress), most common first.
    static func candidates(_ offsets: [Int]) -> [Int] {
        var seen = Set<Int>()
        let counted = Dictionary(offsets.map { ($0, 1) }, uniquingKeysWith: +)
        let byUse = counted.keys.sorted { (counted[$0]!, $1) > (counted[$1]!, $0) }
        return (byUse + byUse.map { $0 - 4 } + byUse.map { $0 - 8 }).filter { $0 >= 0 && seen.insert($0).inserted }
    }

    private func write(offsets: [Int], into fd: Int32) throws {
        let list = Self.candidates(offsets)
        guard fd >= 0, tallyFD >= 0 else { throw SystemError("find the maps of \(Self.programName)", errno: ENOENT) }
        guard list.count <= Self.offsetSlots else {
            throw SystemError("tell \(Self.programName) \(list.count) tag offsets (it holds \(Self.offsetSlots))", errno: E2BIG)
        }
        var key: UInt32 = 0
        var value = (0..<Self.offsetSlots).map { $0 < list.count ? UInt32(list[$0]) : UInt32.max }
        try negativeErrno("write the tag offsets of \(Self.programName)", bpf_map_update_elem(fd, &key, &value, UInt64(BPF_ANY)))
    }

    /// Frames counted so far for templates 0..<count, summed over the CPUs.
    public func counts(templates count: Int) throws -> [Int] {
        let cpus = Int(libbpf_num_possible_cpus())
        guard cpus > 0 else { throw SystemError("count the possible CPUs", errno: -Int32(cpus)) }
        var perCPU = [UInt64](repeating: 0, count: cpus)
        return try (0..<min(count, LoadTag.capacity)).map { slot in
            var key = UInt32(slot)
            try negativeErrno("read load tally slot \(slot)", bpf_map_lookup_elem(tallyFD, &key, &perCPU))
            return Int(perCPU.reduce(0, +))
        }
    }

    /// Detaches the program and its clsact hook. Safe to call twice, and after the namespace is gone.
    public func remove() {
        guard let attached = attachment else { return }
        attachment = nil
        let detached = (try? NetworkNamespace.run(namespace) { xdpshim_tc_detach(attached) }) != nil
        if !detached { xdpshim_tc_release(attached) }
    }

    deinit { remove() }
}
