import Evidence
import LabModel
import Sequencing

/// `ssh-survives`: every SSH-like session finished every planned exchange and never paused longer than the limit.
enum SessionCheck {
    static func result(expected: Outcome, observations: Observations) -> CheckResult {
        let name = CheckName.sshSurvives.rawValue
        guard observations.sshEnabled else {
            return CheckResult(name: name, expected: expected, held: false, judged: false,
                               detail: "no SSH sessions in this lab's traffic")
        }
        let sessions = observations.sessions
        guard !sessions.isEmpty else {
            return CheckResult(name: name, expected: expected, held: false,
                               detail: "SSH traffic was planned but no session came back with a record")
        }
        let limit = observations.sshMaxStall
        let broken = sessions.filter { !survived($0, limit: limit) }
        let planned = sessions.reduce(0) { $0 + $1.exchangesPlanned }
        let completed = sessions.reduce(0) { $0 + $1.exchangesCompleted }
        let longest = sessions.map(\.longestStall).max() ?? 0
        let summary = "\(Words.plural(sessions.count, "session")) completed \(completed) of \(planned) exchanges, "
            + "longest stall \(DurationText.seconds(longest)) (limit \(DurationText.seconds(limit)))"
        guard !broken.isEmpty else {
            // Surviving only means something if neighbours were resolved again during the run.
            let resolution = observations.neighbourFrames > 0
                ? "; neighbours were re-resolved meanwhile (\(Words.plural(observations.neighbourFrames, "ARP/ND frame")) of the hosts' own)"
                : "; but no ARP/ND frame of the hosts' own was seen, so neighbour expiry was not exercised"
            return CheckResult(name: name, expected: expected, held: true, detail: summary + resolution)
        }
        var lines = ["\(broken.count) of \(Words.plural(sessions.count, "session")) did not survive; \(summary):"]
        lines += broken.map { "  " + describe($0, limit: limit) }
        lines.append(neighbourEvidence(observations))
        return CheckResult(name: name, expected: expected, held: false, detail: lines.joined(separator: "\n"))
    }

    static func survived(_ session: SessionRecord, limit: Double) -> Bool {
        session.exchangesCompleted >= session.exchangesPlanned && session.longestStall <= limit && session.failure == nil
    }

    /// "queue 2, tcp 198.18.0.2:41022 > 198.18.0.1:22: 12 of 30 exchanges, stalled at 8.4s, longest stall 11.6s
    /// (limit 2s), ended: connect timed out"
    static func describe(_ session: SessionRecord, limit: Double) -> String {
        var text = "queue \(session.queue), \(session.flow): \(session.exchangesCompleted) of \(session.exchangesPlanned) exchanges"
        if let stalledAt = session.stalledAt { text += ", stalled at \(DurationText.seconds(stalledAt))" }
        text += ", longest stall \(DurationText.seconds(session.longestStall))"
        if session.longestStall > limit { text += " (limit \(DurationText.seconds(limit)))" }
        if let failure = session.failure { text += ", ended: \(failure)" }
        return text
    }

    /// Whether neighbour resolution kept working: lost ARP/ND packets, and the ARP/ND frames the capture saw.
    static func neighbourEvidence(_ observations: Observations) -> String {
        let resolution = observations.injected.filter { NeighbourClasses.contains($0.trafficClass) }
        let lost = resolution.filter { Verifier.fate(of: $0, in: observations) == .lost }
        var text = "neighbour evidence: the capture saw \(Words.plural(observations.neighbourFrames, "ARP/ND frame")) of the hosts' own"
        if !resolution.isEmpty { text += "; \(lost.count) of \(resolution.count) injected ARP/ND packets were lost" }
        return text
    }
}

/// Traffic classes that carry neighbour resolution (ARP, IPv6 neighbour discovery).
enum NeighbourClasses {
    static let names: Set<String> = ["arp", "ndp"]
    static func contains(_ trafficClass: String) -> Bool { names.contains(trafficClass) }
}
