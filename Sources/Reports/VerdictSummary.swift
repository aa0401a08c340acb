import Evidence
import Verification

/// The per-packet XDP verdicts of a lab in a report: every packet's verdict beside its fate, counts per class,
/// the disagreements, or why there are no verdicts (said once).
public struct VerdictSummary: Sendable, Codable, Equatable {
    /// Why no verdicts were recorded ("fexit on the XDP program is refused by this kernel: …"); nil when they were.
    public let unavailable: String?
    /// The program the recorder watched: "port_redirect (id 41)".
    public let program: String?
    /// Injected packets with a recorded verdict, and without one.
    public let recorded: Int
    public let missing: Int
    /// Records the kernel's ring buffer had no room for.
    public let overflows: UInt64
    /// Whether another program took the recorded one's place during the run.
    public let programChanged: Bool
    /// Verdict counts per traffic class, classes in the order they were first sent.
    public let classes: [ClassVerdicts]
    /// One row per injected packet, in the order sent; empty when unavailable.
    public let packets: [PacketVerdictRow]

    /// Disagreements between verdict and fate.
    public var disagreements: [PacketVerdictRow] { packets.filter { $0.disagreement != nil } }

    public init(unavailable: String?, program: String?, recorded: Int, missing: Int, overflows: UInt64,
                programChanged: Bool, classes: [ClassVerdicts], packets: [PacketVerdictRow]) {
        self.unavailable = unavailable
        self.program = program
        self.recorded = recorded
        self.missing = missing
        self.overflows = overflows
        self.programChanged = programChanged
        self.classes = classes
        self.packets = packets
    }

    /// nil when the run did not try to record verdicts (sequence labs).
    public init?(_ observations: Observations) {
        guard let evidence = observations.evidence.verdicts else { return nil }
        guard let join = VerdictJoin(observations) else {
            self.init(unavailable: evidence.unavailable, program: evidence.program, recorded: 0, missing: 0, overflows: 0,
                      programChanged: false, classes: [], packets: [])
            return
        }
        let rows = join.rows.map(PacketVerdictRow.init)
        self.init(unavailable: nil, program: evidence.program, recorded: rows.filter { $0.action != nil }.count,
                  missing: rows.filter { $0.action == nil }.count, overflows: evidence.overflows,
                  programChanged: evidence.programChanged, classes: ClassVerdicts.tally(rows), packets: rows)
    }

    /// The report line about where the verdicts came from, or why there are none.
    public var headline: String {
        if let unavailable { return "per-packet XDP verdicts unavailable: \(unavailable)" }
        var text = "per-packet XDP verdicts (fexit on \(program ?? "the program")): \(recorded) of \(recorded + missing) packets"
        if missing > 0 { text += ", \(missing) without a verdict" }
        if overflows > 0 { text += ", \(overflows) records lost to a full ring buffer" }
        if programChanged { text += "; the program changed during the run (only the first was recorded)" }
        return text
    }
}

/// How many packets of one class got each verdict.
public struct ClassVerdicts: Sendable, Codable, Equatable {
    public let trafficClass: String
    /// Verdict text → packets, in the order first seen: "XDP_PASS": 56, "none": 2.
    public let counts: [VerdictCount]

    static func tally(_ rows: [PacketVerdictRow]) -> [ClassVerdicts] {
        var order: [String] = []
        var byClass: [String: [VerdictCount]] = [:]
        for row in rows {
            if byClass[row.trafficClass] == nil { order.append(row.trafficClass) }
            var counts = byClass[row.trafficClass, default: []]
            if let index = counts.firstIndex(where: { $0.verdict == row.verdict }) {
                counts[index].count += 1
            } else {
                counts.append(VerdictCount(verdict: row.verdict, count: 1))
            }
            byClass[row.trafficClass] = counts
        }
        return order.map { ClassVerdicts(trafficClass: $0, counts: byClass[$0]!) }
    }

    /// "56 × XDP_PASS; 9 × XDP_REDIRECT to key 0, failed: EINVAL" (a verdict's text may hold a comma).
    public var text: String { counts.map { "\($0.count) × \($0.verdict)" }.joined(separator: "; ") }
}

public struct VerdictCount: Sendable, Codable, Equatable {
    public let verdict: String
    public var count: Int
}

/// One packet: its verdict (raw and in words), the redirect's key and result, where it was seen, and a
/// disagreement between the two if there is one.
public struct PacketVerdictRow: Sendable, Codable, Equatable {
    public let id: UInt64
    public let trafficClass: String
    public let queue: Int
    /// The raw return value; nil when no verdict was recorded.
    public let action: UInt32?
    /// "XDP_REDIRECT to key 0, failed: EINVAL", or "none" when no verdict was recorded.
    public let verdict: String
    public let redirectKey: Int32?
    public let redirectErrno: Int32?
    public let fate: Fate
    public let disagreement: VerdictDisagreement?

    init(_ row: VerdictJoin.Row) {
        id = row.packet.id
        trafficClass = row.packet.trafficClass
        queue = row.packet.queue
        action = row.verdict?.action
        verdict = row.verdict?.text ?? "none"
        redirectKey = row.verdict?.redirectKey
        redirectErrno = row.verdict?.redirectErrno
        fate = row.fate
        disagreement = row.disagreement
    }

    /// "#12 validator-udp4 on queue 2: XDP_PASS, observed: lost".
    public var text: String { "#\(id) \(trafficClass) on queue \(queue): \(verdict), observed: \(fate.text)" }
}
