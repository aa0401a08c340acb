import Evidence
import LabModel
import Sequencing

/// How one SSH session lived through a recovery drill.
public struct SessionLockout: Sendable, Codable, Hashable {
    public let queue: Int
    /// The last exchange before the stall that the break caused, seconds since the start of traffic; nil when the
    /// session never stalled after the break.
    public let stalledAt: Double?
    /// The first exchange after that stall; nil when SSH never came back.
    public let backAt: Double?
    /// Seconds from the break until SSH worked again; nil when it never did or never stopped.
    public let lockout: Double?

    public init(queue: Int, stalledAt: Double?, backAt: Double?, lockout: Double?) {
        self.queue = queue
        self.stalledAt = stalledAt
        self.backAt = backAt
        self.lockout = lockout
    }

    /// Stalled after the break and never answered again.
    public var neverBack: Bool { stalledAt != nil && backAt == nil }
}

/// `recovers`: after the drill's break, every SSH session completed an exchange again within `restore-within`,
/// and the program that broke the network was no longer attached when traffic ended.
public enum RecoveryCheck {
    /// Per session: the first gap longer than `maxStall` that ends after the break (or that never ends).
    public static func lockouts(_ sessions: [SessionRecord], breakAt: Double, maxStall: Double) -> [SessionLockout] {
        sessions.map { session in
            let times = session.answeredAt.sorted()
            var previous = times.last(where: { $0 <= breakAt }) ?? breakAt
            for time in times where time > breakAt {
                if time - previous > maxStall {
                    return SessionLockout(queue: session.queue, stalledAt: previous, backAt: time, lockout: time - breakAt)
                }
                previous = time
            }
            // Unanswered to the end: a stall that never ended, if the session fell silent after the break.
            if session.exchangesCompleted < session.exchangesPlanned, previous >= breakAt - maxStall {
                return SessionLockout(queue: session.queue, stalledAt: previous, backAt: nil, lockout: nil)
            }
            return SessionLockout(queue: session.queue, stalledAt: nil, backAt: nil, lockout: nil)
        }
    }

    static func result(expected: Outcome, observations: Observations) -> CheckResult {
        let name = CheckName.recovers.rawValue
        guard let drill = observations.recovery else {
            return CheckResult(name: name, expected: expected, held: false, judged: false, detail: "this lab has no recovery drill")
        }
        if let error = drill.breakError {
            return CheckResult(name: name, expected: expected, held: false, judged: false,
                               detail: "the drill could not break the network: \(error)")
        }
        let lockouts = Self.lockouts(observations.sessions, breakAt: drill.breakAt, maxStall: observations.sshMaxStall)
        let late = lockouts.filter { $0.neverBack || ($0.lockout ?? 0) > drill.restoreWithin }
        var lines = ["break at \(DurationText.seconds(drill.breakAt)): \(drill.breakAction)"]
        lines.append(actionLine(drill))
        lines += lockouts.map { "  " + describe($0, bound: drill.restoreWithin) }
        if drill.breakStillAttached { lines.append("at the end the interface still ran \(drill.finalProgram), the program that broke it") }
        if let onFailure = drill.onFailure { lines.append("on-failure: \(onFailure)") }
        let held = late.isEmpty && !drill.breakStillAttached && !lockouts.isEmpty
        let worst = lockouts.compactMap(\.lockout).max()
        let headline = held
            ? "SSH came back within \(DurationText.seconds(drill.restoreWithin)) of the break"
              + (worst.map { " (longest lockout \(DurationText.seconds($0)))" } ?? " (no session stalled)")
            : "\(late.count) of \(Words.plural(lockouts.count, "SSH session")) did not come back within \(DurationText.seconds(drill.restoreWithin))"
              + (late.isEmpty ? ", but the interface kept the program that broke it" : "")
        return CheckResult(name: name, expected: expected, held: held, detail: ([headline] + lines).joined(separator: "\n"))
    }

    /// The drill in a few sentences, for the diagnosis: what broke, what acted and when, how long SSH was gone.
    static func sentences(_ drill: RecoveryRecord, lockouts: [SessionLockout]) -> [String] {
        if let error = drill.breakError { return ["The recovery drill could not break the network: \(error)."] }
        var sentence = "Recovery drill: at \(DurationText.seconds(drill.breakAt)) the drill \(drill.breakAction); "
        let stalled = lockouts.filter { $0.stalledAt != nil }
        let back = stalled.compactMap(\.lockout)
        if stalled.isEmpty {
            sentence += "no SSH session stalled"
        } else if back.count == stalled.count, let worst = back.max(), let best = back.min() {
            let (shortest, longest) = (DurationText.seconds(best), DurationText.seconds(worst))
            sentence += "SSH was gone for " + (shortest == longest ? longest : "\(shortest) to \(longest)")
                + " after the break"
        } else {
            sentence += "\(stalled.count - back.count) of \(Words.plural(stalled.count, "stalled SSH session")) never came back"
        }
        if let action = drill.firstActionAfterBreak {
            sentence += "; the interface changed to \(action.program) \(DurationText.seconds(action.at - drill.breakAt)) after the break"
            if let lockout = back.max(), lockout - (action.at - drill.breakAt) > 2 {
                sentence += ", and SSH needed \(DurationText.seconds(lockout - (action.at - drill.breakAt))) more: TCP retransmits with "
                    + "exponential backoff, so a session resumes only at its next retransmission after the path is back"
            }
        } else if drill.watchdog != nil {
            sentence += "; the watchdog never changed the interface's XDP program"
        }
        var sentences = [sentence + "."]
        if let onFailure = drill.onFailure { sentences.append("Manual recovery afterwards: \(onFailure).") }
        return sentences
    }

    /// "watchdog acted at 16.8s (14.8s after the break): eth0 now runs none", or why it did not.
    static func actionLine(_ drill: RecoveryRecord) -> String {
        if let action = drill.firstActionAfterBreak {
            return "watchdog acted at \(DurationText.seconds(action.at)) (\(DurationText.seconds(action.at - drill.breakAt)) after the break): "
                + "the interface now runs \(action.program)"
        }
        guard let watchdog = drill.watchdog else { return "no watchdog: nothing changed the interface after the break" }
        var text = "the watchdog never changed the interface's XDP program after the break"
        if let exit = watchdog.exit { text += "; it \(exit)" + (watchdog.exitedAt.map { " at \(DurationText.seconds($0))" } ?? "") }
        if let line = watchdog.logTail.last(where: { !$0.isEmpty }) { text += "; its last output: \"\(line)\"" }
        return text
    }

    /// "queue 0: last exchange 2.01s, back at 27.3s, locked out 25.3s after the break (bound 25s)"
    static func describe(_ lockout: SessionLockout, bound: Double) -> String {
        guard let stalledAt = lockout.stalledAt else { return "queue \(lockout.queue): never stalled" }
        guard let backAt = lockout.backAt, let length = lockout.lockout else {
            return "queue \(lockout.queue): last exchange \(DurationText.seconds(stalledAt)), never back"
        }
        return "queue \(lockout.queue): last exchange \(DurationText.seconds(stalledAt)), back at \(DurationText.seconds(backAt)), "
            + "locked out \(DurationText.seconds(length)) after the break" + (length > bound ? " (bound \(DurationText.seconds(bound)))" : "")
    }
}
