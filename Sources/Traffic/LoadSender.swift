import Glibc
import CLinux
import Evidence
import Packets
import SystemSupport
import Sequencing
import LabModel

/// Sends the load phase: one copy of every traffic class per queue, over and over, as fast as the machine allows
/// or at a set rate, in `sendmmsg` batches on one steered packet socket per RX queue. Each template's copies share
/// one tag id (`LoadTag`), so the receiving side counts per template.
public final class LoadSender {
    public static let batchLimit = 32

    public let templates: [PlannedFrame]
    private var sockets: [Int32] = []
    /// Template indexes per queue.
    private let byQueue: [[Int]]
    private let frames: UnsafeMutableRawPointer
    /// Per queue, one iovec per member template in `byQueue` order, so a batch is a slice and needs no copying.
    private let queueVectors: [UnsafeMutablePointer<iovec>]

    /// Plans the templates and opens the sockets. Throws when the classes give more templates than the tally holds.
    public init(endpoints: TrafficEndpoints, classes: [PacketClass], ports: [UInt16]) throws {
        let templates = TrafficPlanner.plan(endpoints: endpoints, classes: classes, rounds: 1, ports: ports,
                                            firstID: LoadTag.base)
        self.templates = templates
        guard !templates.isEmpty, templates.count <= LoadTag.capacity else {
            throw SystemError("plan \(templates.count) load templates (between 1 and \(LoadTag.capacity))", errno: EINVAL)
        }
        let queues = max(1, endpoints.queues)
        let members = (0..<queues).map { queue in templates.indices.filter { templates[$0].queue == queue } }
        byQueue = members
        let stride = ((templates.map(\.frame.count).max() ?? 0) + 63) / 64 * 64
        let frames = UnsafeMutableRawPointer.allocate(byteCount: templates.count * stride, alignment: 64)
        for (index, template) in templates.enumerated() {
            template.frame.withUnsafeBytes { (frames + index * stride).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        self.frames = frames
        queueVectors = members.map { indexes in
            let vectors = UnsafeMutablePointer<iovec>.allocate(capacity: max(1, indexes.count))
            for (slot, index) in indexes.enumerated() {
                vectors[slot] = iovec(iov_base: frames + index * stride, iov_len: templates[index].frame.count)
            }
            return vectors
        }
        do {
            for queue in 0..<queues {
                let fd = try SteeredPacketSocket.open(endpoints.sender, queue: queue)
                sockets.append(fd)
                try Self.boundSends(fd)
            }
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
        frames.deallocate()
        queueVectors.forEach { $0.deallocate() }
    }

    /// A send that cannot go on within 200 ms returns EAGAIN instead of blocking, so the phase always ends on time.
    private static func boundSends(_ fd: Int32) throws {
        var limit = timeval(tv_sec: 0, tv_usec: 200_000)
        try syscall("setsockopt SO_SNDTIMEO on a load socket") {
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// Where each template's tag starts, from the frame's first byte.
    public var tagOffsets: [Int] {
        templates.compactMap { SequenceSender.offset(of: PacketTag.magic, in: $0.frame) }
    }

    /// Sends for `seconds`; `rate` packets per second over all queues, nil: as fast as possible. Queues take turns
    /// batch by batch, each cycling through its own templates.
    public func run(seconds: Double, rate: Int?) throws -> (seconds: Double, templates: [LoadTemplateRecord]) {
        var records = templates.map {
            LoadTemplateRecord(trafficClass: $0.packetClass.rawValue, queue: $0.queue, matching: $0.matching, flow: $0.flow)
        }
        var cursor = [Int](repeating: 0, count: byQueue.count)
        let start = MonotonicClock.now()
        let end = start + UInt64(seconds * 1e9)
        let spacing = rate.map { 1e9 / Double($0) }
        var offered = 0
        var next = 0
        while true {
            var now = MonotonicClock.now()
            if now >= end { break }
            let queue = next
            next = (next + 1) % byQueue.count
            guard !byQueue[queue].isEmpty else { continue }
            var count = Self.batchLimit
            if let spacing {
                let due = start + UInt64(Double(offered) * spacing)
                if due > now { MonotonicClock.wait(until: due); now = MonotonicClock.now() }
                count = max(1, min(Self.batchLimit, Int(Double(now - start) / spacing) - offered + 1))
            }
            offered += try send(queue: queue, cursor: &cursor[queue], count: count, records: &records)
        }
        return (Double(MonotonicClock.now() - start) / 1e9, records)
    }

    /// One `sendmmsg` of up to `count` consecutive templates of one queue (never past its last: the slice must be
    /// contiguous). A refusal for lack of room (ENOBUFS) means the veth dropped the first frame: counted as offered
    /// and dropped at the backlog.
    private func send(queue: Int, cursor: inout Int, count: Int, records: inout [LoadTemplateRecord]) throws -> Int {
        let members = byQueue[queue]
        let first = cursor % members.count
        let count = min(count, members.count - first)
        let result = clinux_send_batch(sockets[queue], queueVectors[queue] + first, UInt32(count))
        if result > 0 {
            for i in 0..<Int(result) { records[members[first + i]].offered += 1 }
            cursor = first + Int(result)
            return Int(result)
        }
        let code = result == 0 ? EAGAIN : -result
        switch code {
        case ENOBUFS:
            records[members[first]].offered += 1
            records[members[first]].backlogDrops += 1
            cursor = first + 1
            return 1
        case EAGAIN, EINTR: return 0
        default:
            throw SystemError("send load frames (\(templates[members[first]].flow))", errno: code)
        }
    }

    /// Closes the sockets; safe to call twice.
    public func close() {
        sockets.forEach { _ = Glibc.close($0) }
        sockets = []
    }
}
