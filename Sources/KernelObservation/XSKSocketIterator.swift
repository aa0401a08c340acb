import Foundation
import Glibc
import Synchronization
import XDPShim
import BPFSupport
import SystemSupport

/// The AF_XDP sockets of a namespace without xsk_diag: `bpf/xsk_sockets.bpf.c`, a BPF iterator over every
/// open file of every task, writes one record per descriptor of an AF_XDP socket on the machine. Compiled
/// and loaded once per process; each call runs it once. Descriptors of the same socket (a process that
/// forked, or handed the socket over) are merged into one socket with several owners.
enum XSKSocketIterator {
    /// Fields of one record, every one a u64, in the order of `struct xsk_record`.
    private enum Field: Int, CaseIterable {
        case inode, netns, pid, present, ifindex, queue, rxEntries, txEntries, fillEntries, completionEntries
        case umemID, umemSize, umemChunkSize, umemZeroCopy
        case rxDropped, rxInvalid, rxFull, fillRingEmpty, txInvalid, txRingEmpty
    }

    private static let recordSize = Field.allCases.count * 8

    /// The loaded iterator; it stays loaded, attached to nothing but itself, until the process ends.
    private final class Loaded {
        let object: BPFObject
        let link: BPFLink
        init(object: BPFObject, link: BPFLink) {
            self.object = object
            self.link = link
        }
    }

    private static let loaded = Mutex<Loaded?>(nil)

    static func sockets(namespace: String) throws -> [ObservedSocket] {
        var status = stat()
        let path = NetworkNamespace.path(namespace)
        try syscall("find namespace \(namespace) (\(path))") { stat(path, &status) }
        let netns = UInt64(status.st_ino)
        let records = try run()
        var merged: [UInt64: (entry: xdpshim_xsk_diag, owners: Set<Int32>)] = [:]
        for record in records where record[Field.netns.rawValue] == netns {
            let inode = record[Field.inode.rawValue]
            merged[inode, default: (entry(record), [])].owners.insert(Int32(truncatingIfNeeded: record[Field.pid.rawValue]))
        }
        return merged.values.map {
            ObservedSocket(diag: $0.entry, owners: $0.owners.sorted(), source: .taskFileIterator)
        }
    }

    /// One record in the sock_diag entry's form.
    private static func entry(_ record: [UInt64]) -> xdpshim_xsk_diag {
        func value(_ field: Field) -> UInt64 { record[field.rawValue] }
        func value32(_ field: Field) -> UInt32 { UInt32(truncatingIfNeeded: value(field)) }
        var entry = xdpshim_xsk_diag()
        entry.inode = value32(.inode)
        entry.present = value32(.present)
        entry.info.ifindex = value32(.ifindex)
        entry.info.queue_id = value32(.queue)
        entry.rx_ring_entries = value32(.rxEntries)
        entry.tx_ring_entries = value32(.txEntries)
        entry.fill_ring_entries = value32(.fillEntries)
        entry.completion_ring_entries = value32(.completionEntries)
        entry.umem.id = value32(.umemID)
        entry.umem.size = value(.umemSize)
        entry.umem.chunk_size = value32(.umemChunkSize)
        entry.umem.flags = value(.umemZeroCopy) != 0 ? UInt32(XDP_DU_F_ZEROCOPY) : 0
        entry.stats.n_rx_dropped = value(.rxDropped)
        entry.stats.n_rx_invalid = value(.rxInvalid)
        entry.stats.n_rx_full = value(.rxFull)
        entry.stats.n_fill_ring_empty = value(.fillRingEmpty)
        entry.stats.n_tx_invalid = value(.txInvalid)
        entry.stats.n_tx_ring_empty = value(.txRingEmpty)
        return entry
    }

    /// Runs the iterator once and returns its records.
    private static func run() throws -> [[UInt64]] {
        let fd = try loaded.withLock { loaded -> Int32 in
            if loaded == nil { loaded = try load() }
            return try loaded!.link.openIterator()
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: recordSize * 64)
        while true {
            let count = try chunk.withUnsafeMutableBytes { buffer in
                try syscall("read the AF_XDP socket iterator") { read(fd, buffer.baseAddress, buffer.count) }
            }
            if count == 0 { break }
            bytes += chunk.prefix(count)
        }
        return stride(from: 0, to: bytes.count - recordSize + 1, by: recordSize).map { start in
            bytes[start..<start + recordSize].withUnsafeBytes { raw in
                (0..<Field.allCases.count).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self) }
            }
        }
    }

    private static func load() throws -> Loaded {
        guard let folder = Bundle.module.url(forResource: "bpf", withExtension: nil) else {
            throw ObservationError("the KernelObservation resource folder bpf/ is missing from the build")
        }
        let work = FileManager.default.temporaryDirectory
            .appendingPathComponent("xdplab-xsk-iterator-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let object = try BPFObject(path: try BPFCompiler.object(for: folder.appendingPathComponent("xsk_sockets.bpf.c").path,
                                                                outputDirectory: work))
        try object.load()
        guard let program = object.program(named: "xsk_sockets") else {
            throw ObservationError("\(object.fileName) lacks its program xsk_sockets")
        }
        return Loaded(object: object, link: try program.attachIterator())
    }
}
