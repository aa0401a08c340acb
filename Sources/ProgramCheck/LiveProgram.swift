import Glibc
import CLibBPF
import KernelObservation
import BPFSupport
import SystemSupport

/// Which live program `xdplab check --attached` / `--prog-id` checks, and whose sockets decide the state
/// of each queue.
public struct AttachedTarget: Sendable, Equatable {
    public let programID: UInt32?
    public let namespace: String?
    public let interface: String?

    /// The XDP program attached to `interface` in `namespace` now, judged by that interface's live sockets.
    public static func interface(_ interface: String, namespace: String) -> AttachedTarget {
        AttachedTarget(programID: nil, namespace: namespace, interface: interface)
    }

    /// A loaded XDP program by id. With `namespace` and `interface`, that interface's queues and sockets
    /// decide the states; without, every queue of a scratch device runs the empty state.
    public static func program(id: UInt32, namespace: String? = nil, interface: String? = nil) -> AttachedTarget {
        AttachedTarget(programID: id, namespace: namespace, interface: interface)
    }
}

/// A program loaded by another process, found by the kernel: its descriptor (opened by id), its XSKMAP
/// (found among its maps, read for its name and size only), its translated instructions, and the live
/// state of the interface it serves. Nothing here writes to the program or its maps.
final class LiveProgram {
    let program: AttachedProgram
    let fd: Int32
    let xskMap: BPFMapInfo?
    let mapNames: [Int32: String]
    let instructions: [BPFInstruction]
    /// The ports its `validator_ports` map claims now, when it has one of xdplab's shape (read, not written).
    let claimedPorts: Set<UInt16>?
    /// The interface, when the target names one, as it is now.
    let live: LiveInterface?
    /// What a reader should know about how the program was found.
    let notes: [String]

    struct LiveInterface {
        let namespace: String
        let interface: String
        let ifindex: Int32
        /// RX queues the kernel accepts for test runs (the device's real RX queue count).
        let queues: Int
        /// Every AF_XDP socket bound to the interface.
        let sockets: [ObservedSocket]

        /// Queues below `queues` with a socket bound to them: their slots are taken to be registered.
        var registeredQueues: [Int] { Array(Set(sockets.map(\.queue)).filter { $0 < queues }).sorted() }
        var emptyQueues: [Int] { (0..<queues).filter { !registeredQueues.contains($0) } }
    }

    init(_ target: AttachedTarget) throws {
        var notes: [String] = []
        var found: AttachedProgram?
        if let namespace = target.namespace, let interface = target.interface {
            found = try Self.wrap("find the XDP program of \(namespace):\(interface)") {
                try AttachedPrograms.xdp(namespace: namespace, interface: interface)
            }
            if target.programID == nil && found == nil {
                throw CheckFailure(.badInput, "no XDP program is attached to \(interface) in namespace \(namespace)")
            }
        }
        let id = target.programID ?? found!.id
        let openAttempt = "open BPF program \(id)"
        let fd = bpf_prog_get_fd_by_id(id)
        if fd == -ENOENT { throw CheckFailure(.badInput, "\(openAttempt): no loaded BPF program has id \(id)") }
        _ = try Self.wrap(openAttempt) { try negativeErrno(openAttempt, fd) }
        self.fd = fd
        do {
            let info = try Self.wrap("read the info of BPF program \(id)") { try BPFProgramInfo(fd: fd) }
            guard info.type == BPF_PROG_TYPE_XDP.rawValue else {
                throw CheckFailure(.badInput, "BPF program \(id) ('\(info.name)') is not an XDP program (type \(info.type))")
            }
            if let found, found.id != id {
                notes.append("program \(id) is not the one attached to \(target.interface!) (that is \(found)); "
                             + "the interface's sockets still decide each queue's state")
            }
            program = found?.id == id ? found! : AttachedProgram(id: id, name: info.name, tag: info.tag, mode: nil, mapIDs: info.mapIDs)

            // The maps are opened by id only to read what they are; the descriptors close right away.
            let maps = info.mapIDs.compactMap { try? BPFMapInfo(id: $0) }
            let xskMaps = maps.filter { $0.type == BPF_MAP_TYPE_XSKMAP.rawValue }
            xskMap = xskMaps.first { $0.name == "xsks_map" } ?? xskMaps.first
            claimedPorts = maps.first { $0.name == "validator_ports" }.flatMap(Self.claimedPorts)
            mapNames = Dictionary(maps.map { (Int32(bitPattern: $0.id), $0.name) }, uniquingKeysWith: { first, _ in first })
            let raw = try Self.wrap("read the instructions of BPF program \(id)") {
                try BPFProgramInfo.translatedInstructions(fd: fd, describing: "BPF program \(id)")
            }
            instructions = ProgramUnderTest.translatedInstructions(of: raw)

            if let namespace = target.namespace, let interface = target.interface {
                live = try Self.wrap("read the live state of \(namespace):\(interface)") {
                    try Self.liveInterface(namespace: namespace, interface: interface)
                }
            } else {
                live = nil
            }
        } catch {
            close(fd)
            throw error
        }
        if xskMap == nil {
            notes.append("the program has no XSKMAP among its maps: it cannot hand a frame to any AF_XDP socket")
        }
        self.notes = notes
    }

    deinit { close(fd) }

    /// The XSKMAP's ids, for the lint to know which helper calls are redirects.
    var xskMapIDs: Set<Int32> { Set(xskMap.map { [Int32(bitPattern: $0.id)] } ?? []) }

    private static func liveInterface(namespace: String, interface: String) throws -> LiveInterface {
        let (ifindex, queues) = try NetworkNamespace.run(namespace) { () throws -> (Int32, Int) in
            let ifindex = Int32(bitPattern: if_nametoindex(interface))
            guard ifindex > 0 else { throw CheckFailure(.badInput, "there is no \(interface) in namespace \(namespace)") }
            return (ifindex, try MatrixRunner.rxQueues(ifindex: ifindex, describing: "\(namespace):\(interface)"))
        }
        let sockets = try ObservedSockets.bound(to: interface, namespace: namespace)
        return LiveInterface(namespace: namespace, interface: interface, ifindex: ifindex, queues: queues, sockets: sockets)
    }

    /// The keys whose value is not zero, of a map with 2- or 4-byte keys (the UDP port) and values of at
    /// most 8 bytes, read in one BPF_MAP_LOOKUP_BATCH; nil when the map has another shape or cannot be read.
    private static func claimedPorts(_ map: BPFMapInfo) -> Set<UInt16>? {
        guard map.keySize == 2 || map.keySize == 4, (1...8).contains(map.valueSize), map.maxEntries <= 65536,
              map.type == BPF_MAP_TYPE_ARRAY.rawValue || map.type == BPF_MAP_TYPE_HASH.rawValue else { return nil }
        let fd = bpf_map_get_fd_by_id(map.id)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var keys = [UInt8](repeating: 0, count: map.keySize * map.maxEntries)
        var values = [UInt8](repeating: 0, count: map.valueSize * map.maxEntries)
        var next = [UInt8](repeating: 0, count: 8)
        var count = UInt32(map.maxEntries)
        // The whole map in one batch: ENOENT means the end was reached, which it must be.
        let result = bpf_map_lookup_batch(fd, nil, &next, &keys, &values, &count, nil)
        guard result == 0 || result == -ENOENT else { return nil }
        var ports = Set<UInt16>()
        for index in 0..<Int(count) where values[index * map.valueSize..<(index + 1) * map.valueSize].contains(where: { $0 != 0 }) {
            let key = keys.withUnsafeBytes { raw in
                map.keySize == 2 ? UInt32(raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
                                 : raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
            }
            if key <= UInt32(UInt16.max) { ports.insert(UInt16(key)) }
        }
        return ports
    }

    /// A missing namespace is the caller's mistake; everything else is sorted by `CheckFailure.wrapping`.
    private static func wrap<T>(_ attempted: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SystemError where error.attempted.hasPrefix("open namespace") {
            throw CheckFailure(.badInput, "\(attempted): \(error)")
        } catch {
            throw CheckFailure.wrapping(error, while: attempted)
        }
    }
}
