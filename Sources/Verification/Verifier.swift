import Evidence
import LabModel

/// Judges a run: where each packet went, the five checks, and a diagnosis built from the kernel's evidence.
public enum Verifier {
    /// At most this many offenders per check are kept; the detail always counts all of them.
    public static let offenderLimit = 100

    /// Where a packet ended up: the capture proves the kernel, the sockets prove AF_XDP.
    public static func fate(of packet: InjectedPacket, in observations: Observations) -> Fate {
        let inKernel = observations.kernelIDs[packet.id] != nil
        switch (inKernel, observations.xskArrivals[packet.id]) {
        case (true, let queue?): return .both(queue: queue)
        case (false, let queue?): return .xsk(queue: queue)
        case (true, nil): return .kernel
        case (false, nil): return .lost
        }
    }

    /// Where a packet had to go: non-matching packets and matching packets on a queue without a socket to the
    /// kernel, matching packets on a queue with a socket to that queue's socket.
    public static func expectedFate(of packet: InjectedPacket, in observations: Observations) -> Fate {
        guard packet.matching, observations.socketState(of: packet) == .registered else { return .kernel }
        return .xsk(queue: packet.queue)
    }

    /// Why the packet had to go there, in words.
    public static func expectation(for packet: InjectedPacket, in observations: Observations) -> String {
        if !packet.matching { return "the kernel (not a validator packet, XDP must pass it)" }
        switch observations.socketState(of: packet) {
        case .registered, .registering: return "the AF_XDP socket on queue \(packet.queue)"
        case .notYetRegistered:
            return "the kernel (the socket on queue \(packet.queue) was not registered yet, the fallback must pass them)"
        case .none: return "the kernel (no socket on queue \(packet.queue), the fallback must pass them)"
        }
    }

    public static func evaluate(_ requests: [CheckRequest], observations: Observations) -> [CheckResult] {
        requests.map { request in
            switch request.name {
            case .nonMatchingReachKernel, .failedRedirectsPass, .matchingReachXSK:
                return PacketCheck(request.name, observations).result(expected: request.expected)
            case .sshSurvives:
                return SessionCheck.result(expected: request.expected, observations: observations)
            case .noXDPExceptions:
                return ExceptionCheck.result(expected: request.expected, observations: observations)
            case .recovers:
                return RecoveryCheck.result(expected: request.expected, observations: observations)
            case .loadNoLoss:
                return LoadCheck.result(expected: request.expected, observations: observations)
            case .inOrder, .noLoss:
                let known = CheckName.allCases.filter { !$0.needsSequence }.map(\.rawValue).joined(separator: ", ")
                return CheckResult(name: request.name.rawValue, expected: request.expected, held: false, judged: false,
                                   detail: "a packet-class lab judges only \(known); \"\(request.name.rawValue)\" needs "
                                       + "traffic.sequence")
            }
        }
    }

    /// A few sentences that explain what went wrong, built from the kernel evidence and the packet fates.
    public static func diagnosis(of results: [CheckResult], observations: Observations) -> [String] {
        pacedDiagnosis(of: results, observations: observations)
            + VerdictDiagnosis.sentences(beforeBreak(observations))
            + LoadDiagnosis.sentences(results, observations: observations)
    }

    /// The packets the stack's own program decided: with a recovery drill, those sent before its break.
    private static func beforeBreak(_ observations: Observations) -> Observations {
        guard let drill = observations.recovery else { return observations }
        var before = observations
        before.injected = observations.injected.filter { $0.sentAt < drill.breakAt }
        return before
    }

    private static func pacedDiagnosis(of results: [CheckResult], observations: Observations) -> [String] {
        guard let drill = observations.recovery else { return Diagnosis(results: results, observations: observations).sentences() }
        // From the break on, the drill (and then the watchdog) decided where packets went, not the stack.
        var outsideBreak = observations
        outsideBreak.injected = observations.injected.filter { $0.sentAt < drill.breakAt }
        outsideBreak.sessions = []
        outsideBreak.sshEnabled = false
        let packetResults = results.filter { ![CheckName.sshSurvives.rawValue, CheckName.recovers.rawValue].contains($0.name) }
        return RecoveryCheck.sentences(drill, lockouts: RecoveryCheck.lockouts(observations.sessions, breakAt: drill.breakAt,
                                                                               maxStall: observations.sshMaxStall))
            + Diagnosis(results: packetResults, observations: outsideBreak).sentences()
    }
}
