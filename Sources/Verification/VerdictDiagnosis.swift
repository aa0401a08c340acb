import Evidence

/// Sentences from the per-packet XDP verdicts: the verdict of every lost packet, grouped, and each disagreement
/// between what the program returned and where the packet was seen (a finding in its own right: the evidence
/// or the kernel did something the verdict does not explain).
public enum VerdictDiagnosis {
    /// How many example packets a sentence names.
    static let examples = 3

    public static func sentences(_ observations: Observations) -> [String] {
        guard let join = VerdictJoin(observations) else { return [] }
        return lostSentences(join) + disagreementSentences(join) + completeness(observations.evidence.verdicts, join)
    }

    /// "Lost packets, by the verdict their program returned (fexit): validator-udp4 on queues 1–3: 24 — program
    /// returned XDP_REDIRECT to key 0, failed: EINVAL; …".
    static func lostSentences(_ join: VerdictJoin) -> [String] {
        let lost = join.lost
        guard !lost.isEmpty else { return [] }
        let groups = LostGroup.groups(lost)
        return ["Lost packets, by the verdict their XDP program returned (recorded by fexit): "
            + groups.map(\.text).joined(separator: "; ") + "."]
    }

    static func disagreementSentences(_ join: VerdictJoin) -> [String] {
        VerdictDisagreement.allCases.compactMap { kind in
            let rows = join.disagreements.filter { $0.disagreement == kind }
            guard !rows.isEmpty else { return nil }
            let examples = rows.prefix(Self.examples).map { "#\($0.packet.id) \($0.packet.trafficClass) on queue "
                + "\($0.packet.queue): \($0.verdict?.text ?? "no verdict"), observed: \($0.fate.text)" }
            return "Verdict and observation disagree for \(Words.plural(rows.count, "packet")): \(kind.text) "
                + "(e.g. \(examples.joined(separator: "; ")))."
        }
    }

    /// Packets without a verdict, and records the ring lost: the verdict evidence is partial.
    static func completeness(_ evidence: VerdictEvidence?, _ join: VerdictJoin) -> [String] {
        var sentences: [String] = []
        let missing = join.rows.filter { $0.verdict == nil }
        if !missing.isEmpty {
            let lost = missing.filter { $0.fate == .lost }.count
            var sentence = "\(Words.plural(missing.count, "packet")) have no recorded XDP verdict"
            if lost > 0 { sentence += " (\(lost) of them lost: the program never ran on them, or the recorder missed them)" }
            if evidence?.programChanged == true {
                sentence += "; the program on the interface changed during the run, and only the first one was recorded"
            }
            sentences.append(sentence + ".")
        }
        if let overflows = evidence?.overflows, overflows > 0 {
            sentences.append("The verdict ring buffer was full \(overflows) times: those frames' verdicts are missing.")
        }
        return sentences
    }
}

/// Lost packets of one class and one verdict, over the queues they were sent to.
struct LostGroup {
    let trafficClass: String
    let verdict: String
    var queues: [Int]
    var count: Int

    var text: String {
        let place = queues.count == 1 ? "queue \(queues[0])" : "queues \(Words.queues(queues))"
        return "\(trafficClass) on \(place): \(count) lost — " + verdict
    }

    /// In order of first loss; "program returned …", or "no verdict recorded (the program never ran on them)".
    static func groups(_ rows: [VerdictJoin.Row]) -> [LostGroup] {
        var groups: [LostGroup] = []
        for row in rows {
            let verdict = row.verdict.map { "program returned \($0.text)" } ?? "no verdict recorded (the program never ran on them)"
            if let index = groups.firstIndex(where: { $0.trafficClass == row.packet.trafficClass && $0.verdict == verdict }) {
                if !groups[index].queues.contains(row.packet.queue) { groups[index].queues.append(row.packet.queue) }
                groups[index].count += 1
            } else {
                groups.append(LostGroup(trafficClass: row.packet.trafficClass, verdict: verdict, queues: [row.packet.queue], count: 1))
            }
        }
        return groups
    }
}
