import Foundation
import Glibc
import CLibBPF
import XDPShim
import BPFSupport
import Evidence
import SystemSupport

/// Counts `xdp:xdp_exception` and `xdp:xdp_redirect_err` events of the watched XDP programs with the BPF program
/// in `bpf/xdp_events.bpf.c`, attached through one perf event per tracepoint, and on request records every
/// successful `xdp:xdp_redirect` with its time and map key. tracefs (which holds the event ids) is read in a
/// private mount namespace, so nothing is mounted on the machine.
final class TracepointCounters {
    static let events = ["xdp/xdp_exception", "xdp/xdp_redirect_err", "xdp/xdp_redirect"]
    static let handlers = ["count_exception", "count_redirect_error", "record_redirect"]

    private let object: BPFObject
    private let exceptions: BPFMap
    private let redirectErrors: BPFMap
    private let watched: BPFMap
    private let redirectCounts: BPFMap
    private let redirectEvents: BPFMap
    private var links: [BPFLink] = []
    /// Redirect events taken off the kernel's queue so far.
    private var drained: [RedirectEvent] = []

    /// Watches `programID` from the start; `recordRedirects` adds the successful-redirect tracepoint, which costs a
    /// little on every redirect and is only needed when xdplab does not own the sockets.
    init(programID: UInt32, workDirectory: String, recordRedirects: Bool = false) throws {
        guard let folder = Bundle.module.url(forResource: "bpf", withExtension: nil) else {
            throw StackError("the AFXDPStack resource folder bpf/ is missing from the build")
        }
        let source = folder.appendingPathComponent("xdp_events.bpf.c").path
        let object = try BPFObject(path: try BPFCompiler.object(for: source, outputDirectory: workDirectory))
        self.object = object
        try object.load()
        func map(_ name: String) throws -> BPFMap {
            guard let found = object.map(named: name) else { throw StackError("\(object.fileName) lacks its map \(name)") }
            return found
        }
        exceptions = try map("exceptions")
        redirectErrors = try map("redirect_errors")
        watched = try map("watched")
        redirectCounts = try map("redirect_counts")
        redirectEvents = try map("redirect_events")
        try watch(programID: programID)

        // One perf event per tracepoint is enough: the kernel runs a tracepoint's BPF programs on every CPU,
        // and a second attachment of the same program to the same tracepoint fails with EEXIST.
        let ids = try Self.eventIDs()
        let cpu = try onlineCPUs().first ?? 0
        for ((event, id), handler) in zip(zip(Self.events, ids), Self.handlers) {
            if handler == "record_redirect" && !recordRedirects { continue }
            guard let program = object.program(named: handler) else {
                throw StackError("\(object.fileName) lacks its program \(handler)")
            }
            let fd = xdpshim_tracepoint_open(id, Int32(cpu))
            try negativeErrno("open perf event for tracepoint \(event) (id \(id))", fd)
            links.append(try program.attach(perfEvent: fd, describing: "tracepoint \(event)"))
        }
    }

    /// Tracepoint ids from tracefs events/<group>/<name>/id.
    private static func eventIDs() throws -> [UInt64] {
        var ids = [UInt64](repeating: 0, count: events.count)
        var failedStep: UnsafePointer<CChar>?
        let names = events.map { strdup($0) }
        defer { names.forEach { free($0) } }
        let result = names.map { UnsafePointer($0) }.withUnsafeBufferPointer { pointers in
            xdpshim_tracepoint_ids(pointers.baseAddress, Int32(events.count), &ids, &failedStep)
        }
        let step = failedStep.map { String(cString: $0) } ?? "read tracepoint ids"
        try negativeErrno("read tracepoint ids from tracefs: \(step)", result)
        return ids
    }

    /// Events counted so far. Each map is read element by element while events may still come in.
    func read() throws -> (exceptions: [ExceptionCount], redirectErrors: [RedirectErrorCount]) {
        let actions = try exceptions.entries().map { entry in
            ExceptionCount(action: entry.key.load(as: UInt32.self), count: entry.value.load(as: UInt64.self))
        }
        let errors = try redirectErrors.entries().map { entry in
            RedirectErrorCount(errno: -entry.key.load(as: Int32.self),
                               mapIndex: entry.key.load(fromByteOffset: 4, as: Int32.self),
                               count: entry.value.load(as: UInt64.self))
        }
        return (actions.sorted { $0.action < $1.action },
                errors.sorted { ($0.errno, $0.mapIndex) < ($1.errno, $1.mapIndex) })
    }

    /// Counts the events of another program too (one that replaced the first on the interface).
    func watch(programID: UInt32) throws {
        try watched.update(key: programID, value: UInt8(1))
    }

    /// Successful redirects by map key, counted in the kernel (complete even when the event queue overflowed).
    func redirects() throws -> [RedirectCount] {
        try redirectCounts.entries().map { entry in
            RedirectCount(mapIndex: entry.key.load(as: Int32.self), count: entry.value.load(as: UInt64.self))
        }.sorted { $0.mapIndex < $1.mapIndex }
    }

    /// Every successful redirect recorded so far, oldest first, with its time in seconds on CLOCK_MONOTONIC.
    func redirectEventsSoFar() throws -> [RedirectEvent] {
        drained += try redirectEvents.popAll().map { value in
            RedirectEvent(at: Double(value.load(as: UInt64.self)) / 1e9,
                          programID: value.load(fromByteOffset: 8, as: UInt32.self),
                          mapIndex: value.load(fromByteOffset: 12, as: Int32.self))
        }
        return drained
    }

    /// Detaches from every CPU; the maps stay readable until the object goes.
    func detach() { links.removeAll() }
}

private extension Array where Element == UInt8 {
    func load<T: FixedWidthInteger>(fromByteOffset offset: Int = 0, as type: T.Type) -> T {
        withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }
}

/// CPU numbers from /sys/devices/system/cpu/online ("0-1", "0,2-5").
func onlineCPUs() throws -> [Int] {
    let text = try String(contentsOfFile: "/sys/devices/system/cpu/online", encoding: .utf8)
    return text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").flatMap { range -> [Int] in
        let bounds = range.split(separator: "-").compactMap { Int($0) }
        guard let first = bounds.first else { return [] }
        return Array(first...(bounds.last ?? first))
    }
}
