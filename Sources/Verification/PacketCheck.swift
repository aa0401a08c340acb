import Evidence
import Foundation
import LabModel

/// The three checks about packet fates; they differ only in which packets they judge.
struct PacketCheck {
    let name: CheckName
    let observations: Observations
    /// The packets this check is about.
    let scope: [InjectedPacket]

    init(_ name: CheckName, _ observations: Observations) {
        self.name = name
        self.observations = observations
        let state = observations.socketState(of:)
        switch name {
        case .failedRedirectsPass:
            scope = observations.injected.filter { $0.matching && [.none, .notYetRegistered].contains(state($0)) }
        case .matchingReachXSK: scope = observations.injected.filter { $0.matching && state($0) == .registered }
        default: scope = observations.injected.filter { !$0.matching }
        }
    }

    /// What the scope is, for the one-line details: "non-matching packets".
    private var subject: String {
        switch name {
        case .failedRedirectsPass: return "validator packets on queues without a registered socket"
        case .matchingReachXSK: return "validator packets on queues with a registered socket"
        default: return "non-matching packets"
        }
    }

    private var allWell: String {
        switch name {
        case .failedRedirectsPass: return "all passed to the kernel"
        case .matchingReachXSK: return "all reached the socket on their queue"
        default: return "all reached the kernel"
        }
    }

    func result(expected: Outcome) -> CheckResult {
        guard !scope.isEmpty else {
            return CheckResult(name: name.rawValue, expected: expected, held: false, judged: false,
                               detail: "no \(subject) in this lab's traffic")
        }
        let verdicts = observations.evidence.verdicts.flatMap { $0.unavailable == nil ? $0.byID : nil }
        let offenders: [Offender] = scope.compactMap { packet in
            let observed = Verifier.fate(of: packet, in: observations)
            guard observed != Verifier.expectedFate(of: packet, in: observations) else { return nil }
            return Offender(id: packet.id, trafficClass: packet.trafficClass, queue: packet.queue, flow: packet.flow,
                            expectedFate: Verifier.expectation(for: packet, in: observations), observedFate: observed,
                            verdict: verdicts.map { $0[packet.id]?.text ?? "none recorded" })
        }
        var lines: [String] = []
        if offenders.isEmpty {
            let queues = Set(scope.map(\.queue))
            let queueText = name == .nonMatchingReachKernel ? "" : " (\(queues.count == 1 ? "queue" : "queues") \(Words.queues(queues)))"
            lines.append("\(Words.plural(scope.count, subject.replacingOccurrences(of: "packets", with: "packet"), subject))\(queueText), \(allWell)")
        } else {
            lines.append("\(offenders.count) of \(scope.count) \(subject) did not go where they had to:")
            lines += groups(offenders)
            let evidence = EvidenceText.lines(observations.evidence, queues: Set(offenders.map(\.queue)))
            lines.append("kernel evidence: " + (evidence.isEmpty ? "none (no tracepoint events, no veth xdp_drops, no socket drops)"
                                                                 : evidence.joined(separator: "; ")))
        }
        if observations.captureDrops > 0 {
            lines.append("capture incomplete: it dropped \(observations.captureDrops) frames, so some packets counted as lost may have reached the kernel")
        }
        return CheckResult(name: name.rawValue, expected: expected, held: offenders.isEmpty,
                           detail: lines.joined(separator: "\n"), offenders: Array(offenders.prefix(Verifier.offenderLimit)))
    }

    /// ", program returned XDP_ABORTED" (or the counts of each verdict) when verdicts were recorded.
    static func verdicts(_ members: [Offender]) -> String {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for verdict in members.compactMap(\.verdict) {
            if counts[verdict] == nil { order.append(verdict) }
            counts[verdict, default: 0] += 1
        }
        guard !order.isEmpty else { return "" }
        if order == ["none recorded"] { return ", no XDP verdict recorded" }
        if order.count == 1 { return ", program returned \(order[0])" }
        return ", XDP verdicts: " + order.map { "\(counts[$0]!) × \($0)" }.joined(separator: " and ")
    }

    /// How many group lines a detail shows before summarising the rest.
    static let groupLimit = 12

    /// One line per class, queue and outcome, with two example flows:
    /// "validator-udp4 on queue 2: 20 of 20 lost — expected the kernel (…), observed: lost". Queues whose
    /// packets share class, expectation and observed fates are merged: "arp on queues 0–3: 20 of 20 lost — …".
    private func groups(_ offenders: [Offender]) -> [String] {
        struct Key: Hashable { let trafficClass: String; let queue: Int }
        var totals: [Key: Int] = [:]
        for packet in scope { totals[Key(trafficClass: packet.trafficClass, queue: packet.queue), default: 0] += 1 }

        struct Group { let trafficClass: String; let expectation: String; let fates: [Fate]
                       var queues: [Int]; var members: [Offender]; var total: Int }
        var perQueue: [Key: Int] = [:]
        var groups: [Group] = []
        for offender in offenders {
            let key = Key(trafficClass: offender.trafficClass, queue: offender.queue)
            if let index = perQueue[key] { groups[index].members.append(offender); continue }
            perQueue[key] = groups.count
            groups.append(Group(trafficClass: offender.trafficClass, expectation: offender.expectedFate, fates: [],
                                queues: [offender.queue], members: [offender], total: totals[key] ?? 0))
        }
        groups = groups.map { group in
            var fates: [Fate] = []
            for member in group.members where !fates.contains(member.observedFate) { fates.append(member.observedFate) }
            return Group(trafficClass: group.trafficClass, expectation: group.expectation, fates: fates, queues: group.queues,
                         members: group.members, total: group.total)
        }
        var merged: [Group] = []
        for group in groups {
            if let index = merged.firstIndex(where: { $0.trafficClass == group.trafficClass && $0.expectation == group.expectation
                                                       && $0.fates == group.fates && $0.members.count == $0.total
                                                       && group.members.count == group.total }) {
                merged[index].queues += group.queues
                merged[index].members += group.members
                merged[index].total += group.total
            } else {
                merged.append(group)
            }
        }
        var lines = merged.prefix(Self.groupLimit).map { group -> String in
            var counts: [Fate: Int] = [:]
            for member in group.members { counts[member.observedFate, default: 0] += 1 }
            let observed = group.fates.map { group.fates.count == 1 ? $0.text : "\(counts[$0]!) \($0.text)" }.joined(separator: ", ")
            let verdict = group.fates == [.lost] ? "lost" : "wrong"
            let queues = group.queues.count == 1 ? "queue \(group.queues[0])" : "queues \(Words.queues(group.queues))"
            let examples = group.members.prefix(2).map { "#\($0.id) \($0.flow)" }.joined(separator: ", ")
            return "  \(group.trafficClass) on \(queues): \(group.members.count) of \(group.total) \(verdict) — "
                + "expected \(group.expectation), observed: \(observed)\(Self.verdicts(group.members)); e.g. \(examples)"
        }
        if merged.count > Self.groupLimit { lines.append("  … and \(merged.count - Self.groupLimit) more groups") }
        return lines
    }
}
