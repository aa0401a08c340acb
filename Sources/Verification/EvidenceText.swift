import Foundation
import Evidence

/// Kernel evidence in words, one line per fact, as the check details and the diagnosis quote it.
public enum EvidenceText {
    /// "action 0 (XDP_ABORTED)", "action 4294967294 (-2), not a valid XDP action: the kernel treats it as XDP_ABORTED".
    static func action(_ raw: UInt32) -> String {
        if let name = PacketVerdict.actionNames[raw] { return "action \(raw) (\(name))" }
        let signed = Int32(bitPattern: raw)
        let shown = signed < 0 ? "action \(raw) (\(signed))" : "action \(raw)"
        return "\(shown), not a valid XDP action: the kernel treats it as XDP_ABORTED"
    }

    static func isIllegal(_ raw: UInt32) -> Bool { PacketVerdict.actionNames[raw] == nil }

    /// What an XSKMAP redirect error means for AF_XDP.
    static let errnoMeanings: [Int32: String] = [
        22: "the socket in that slot is bound to a different queue or device than the packet's",
        12: "the socket's fill ring was empty",
        105: "the socket's RX ring was full",
        6: "no socket in that slot",
        100: "the device is down",
    ]

    static func errno(_ code: Int32) -> String { PacketVerdict.errnoName(code) }

    static func exception(_ entry: ExceptionCount) -> String {
        "xdp_exception: \(entry.count) \(entry.count == 1 ? "event" : "events") with \(action(entry.action))"
    }

    static func redirectError(_ entry: RedirectErrorCount) -> String {
        let meaning = errnoMeanings[entry.errno].map { " (\($0))" } ?? ""
        return "xdp_redirect_err: \(entry.count) × \(errno(entry.errno)) on key \(entry.mapIndex)\(meaning)"
    }

    /// "socket on queue 0: rx_dropped 1200, rx_fill_ring_empty_descs 1200", or nil when all drop counters are zero.
    static func socket(queue: Int, _ stats: SocketStatistics) -> String? {
        let fields: [(String, UInt64)] = [
            ("rx_dropped", stats.rxDropped), ("rx_invalid_descs", stats.rxInvalidDescs),
            ("rx_ring_full", stats.rxRingFull), ("rx_fill_ring_empty_descs", stats.rxFillRingEmptyDescs),
            ("tx_invalid_descs", stats.txInvalidDescs),
        ]
        let nonZero = fields.filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }
        return nonZero.isEmpty ? nil : "socket on queue \(queue): \(nonZero.joined(separator: ", "))"
    }

    static func xdpDrops(queue: Int, _ count: UInt64) -> String { "veth xdp_drops on queue \(queue): \(count)" }

    /// Every non-zero fact, in a stable order. `queues` limits the per-queue veth counters (nil: all queues).
    public static func lines(_ evidence: KernelEvidence, queues: Set<Int>? = nil) -> [String] {
        var lines: [String] = []
        lines += evidence.exceptions.sorted { $0.action < $1.action }.filter { $0.count > 0 }.map(exception)
        lines += evidence.redirectErrors
            .sorted { ($0.errno, $0.mapIndex) < ($1.errno, $1.mapIndex) }.filter { $0.count > 0 }.map(redirectError)
        lines += evidence.sockets.keys.sorted().compactMap { socket(queue: $0, evidence.sockets[$0]!) }
        for queue in evidence.queueCounters.keys.sorted() where queues?.contains(queue) ?? true {
            if let drops = evidence.queueCounters[queue]?["xdp_drops"], drops > 0 { lines.append(xdpDrops(queue: queue, drops)) }
        }
        if !evidence.tracepointsAttached { lines.append("tracepoints were not attached: exceptions and redirect errors are unknown") }
        lines += evidence.gaps.map { "evidence gap: \($0)" }
        return lines
    }

    /// Packets all AF_XDP sockets dropped (XDP_STATISTICS rx_dropped).
    static func socketDrops(_ evidence: KernelEvidence) -> UInt64 {
        evidence.sockets.values.reduce(0) { $0 + $1.rxDropped }
    }
}

/// Small number and list formatting shared by details and diagnosis.
public enum Words {
    /// [0, 1, 2, 5] → "0–2, 5"
    public static func queues(_ queues: some Sequence<Int>) -> String {
        let sorted = Set(queues).sorted()
        var parts: [String] = []
        var index = 0
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count && sorted[end + 1] == sorted[end] + 1 { end += 1 }
            parts.append(end - index >= 2 ? "\(sorted[index])–\(sorted[end])"
                         : (index...end).map { String(sorted[$0]) }.joined(separator: ", "))
            index = end + 1
        }
        return parts.joined(separator: ", ")
    }

    public static func plural(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
    }
}
