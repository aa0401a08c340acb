import Verification
import Sequencing
import Evidence
import LabModel

/// What a sequence lab's run measured, for the three report forms: how the sender kept its pace, what the
/// receiver got, the first gaps, latency, the faults and the receiver's own counters.
public struct SequenceSummary: Sendable, Codable, Equatable {
    public struct Pacing: Sendable, Codable, Equatable {
        /// nil for as-fast-as-possible.
        public var intendedIntervalNanoseconds: UInt64?
        public var meanIntervalNanoseconds: Double
        public var p99JitterNanoseconds: UInt64
        public var packetsPerSecond: Double
    }

    public struct Latency: Sendable, Codable, Equatable {
        public var samples: Int
        public var p50Nanoseconds: Int64
        public var p90Nanoseconds: Int64
        public var p99Nanoseconds: Int64
        public var maximumNanoseconds: Int64
    }

    /// "af-xdp", "udp-socket" or "map-ring".
    public var receiver: String
    /// "udp 198.18.0.2:40000 > 198.18.0.1:8003 on queue 0"
    public var flow: String
    public var sent: Int
    public var pacing: Pacing?
    public var received: Int
    public var lost: Int
    public var duplicated: Int
    public var outOfOrder: Int
    public var discontinuities: Int
    /// The first gaps: "missed 64 packets between 1278788 and 1278853".
    public var gaps: [String]
    public var latency: Latency?
    public var faults: [FaultRecord]
    public var lostDuringFaults: Int
    public var lostOutsideFaults: Int
    public var reachedKernel: Int
    /// The receiver's counters in words: "rx_ring_full 12", "write_index 3000 (stored 2872, full drops 128)".
    public var counters: [String]
    /// Ring watch output beside the capture: samples (CSV) and the occupancy picture (SVG).
    public var ringSamples: String?
    public var ringPicture: String?
    /// Every slot's state at each sample (CSV).
    public var ringSlots: String?

    public init(observations: SequenceObservations, flow: String, pacing: PacingReport?,
                ringSamples: String? = nil, ringPicture: String? = nil, ringSlots: String? = nil) {
        let report = observations.report
        receiver = observations.receiver.rawValue
        self.flow = flow
        sent = observations.sent
        self.pacing = pacing.map {
            Pacing(intendedIntervalNanoseconds: $0.intendedInterval, meanIntervalNanoseconds: $0.meanInterval,
                   p99JitterNanoseconds: $0.p99Jitter, packetsPerSecond: $0.rate)
        }
        received = report.received
        lost = report.lost
        duplicated = report.duplicated
        outOfOrder = report.outOfOrder
        discontinuities = report.discontinuities
        gaps = report.gapLines
        latency = report.latency.map {
            Latency(samples: $0.count, p50Nanoseconds: $0.p50, p90Nanoseconds: $0.p90, p99Nanoseconds: $0.p99,
                    maximumNanoseconds: $0.maximum)
        }
        faults = observations.faults
        lostDuringFaults = observations.attribution.lostDuringFaults
        lostOutsideFaults = observations.attribution.lostOutsideFaults
        reachedKernel = observations.reachedKernel
        counters = Self.counters(observations.evidence)
        self.ringSamples = ringSamples
        self.ringPicture = ringPicture
        self.ringSlots = ringSlots
    }

    static func counters(_ evidence: ReceiverEvidence) -> [String] {
        switch evidence {
        case .afXDP(let statistics?):
            return ["rx_dropped \(statistics.rxDropped)", "rx_ring_full \(statistics.rxRingFull)",
                    "rx_fill_ring_empty_descs \(statistics.rxFillRingEmptyDescs)"]
        case .udpSocket(let counters):
            return ["InDatagrams", "RcvbufErrors", "NoPorts", "InErrors"].compactMap { name in
                counters[name].map { "Udp \(name) +\($0)" }
            }
        case .mapRing(let ring):
            return ["write_index \(ring.writeIndex) (stored \(ring.stored), full drops \(ring.fullDrops), "
                    + "contention drops \(ring.contentionDrops))",
                    "consumed \(ring.consumed), \(ring.occupied) of \(ring.ringSize) slots still full"]
        case .afXDP(nil), .none:
            return []
        }
    }

    /// The lines the terminal report and JUnit's system-out show.
    public var lines: [String] {
        var lines = ["sequence: \(sent) packets, \(flow) → \(receiver)"]
        if let pacing {
            let target = pacing.intendedIntervalNanoseconds.map { "target \(DurationText.nanoseconds($0))" } ?? "as fast as possible"
            lines.append("pacing: mean interval \(DurationText.nanoseconds(Int64(pacing.meanIntervalNanoseconds.rounded()))) "
                         + "(\(target)), p99 jitter \(DurationText.nanoseconds(pacing.p99JitterNanoseconds)), "
                         + "\(Int(pacing.packetsPerSecond.rounded())) packets/s")
        }
        lines.append("received \(received): \(lost) lost, \(duplicated) duplicated, \(outOfOrder) out of order, "
                     + "\(discontinuities) discontinuities")
        if lost > 0 && !faults.isEmpty {
            lines.append("lost while a fault was in force: \(lostDuringFaults), outside: \(lostOutsideFaults)")
        }
        lines += gaps.map { "  \($0)" }
        if discontinuities > gaps.count { lines.append("  … \(discontinuities - gaps.count) more") }
        if let latency {
            lines.append("latency p50 \(DurationText.nanoseconds(latency.p50Nanoseconds)), "
                         + "p90 \(DurationText.nanoseconds(latency.p90Nanoseconds)), "
                         + "p99 \(DurationText.nanoseconds(latency.p99Nanoseconds)), "
                         + "max \(DurationText.nanoseconds(latency.maximumNanoseconds)) (\(latency.samples) samples)")
        }
        if !faults.isEmpty { lines.append("faults: " + faults.map(\.description).joined(separator: ", ")) }
        if reachedKernel > 0, receiver != "udp-socket" { lines.append("reached the kernel instead: \(reachedKernel)") }
        if !counters.isEmpty { lines.append("counters: " + counters.joined(separator: ", ")) }
        if let ringSamples { lines.append("ring watch: \(ringSamples)") }
        if let ringPicture { lines.append("ring picture: \(ringPicture)") }
        if let ringSlots { lines.append("ring slots: \(ringSlots)") }
        return lines
    }
}
