/// One check a lab runs, and whether it must hold or must be seen to fail.
public struct Expectation: Sendable, Equatable {
    public var check: CheckName
    public var outcome: Outcome
    /// Where the file asked for it, so a report can point back at the line.
    public var location: SourceLocation

    public init(check: CheckName, outcome: Outcome = .holds, location: SourceLocation) {
        self.check = check
        self.outcome = outcome
        self.location = location
    }
}

/// The named checks, as lab files write them: the one name of each check, used by the verifiers and reports too.
public enum CheckName: String, CaseIterable, Sendable {
    /// Every non-matching packet reached the kernel (seen by the capture tap).
    case nonMatchingReachKernel = "non-matching-reach-kernel"
    /// A matching packet whose redirect failed was passed to the kernel, not dropped.
    case failedRedirectsPass = "failed-redirects-pass"
    /// Every matching packet arrived on the AF_XDP socket of its queue.
    case matchingReachXSK = "matching-reach-xsk"
    /// No SSH-like session stalled longer than allowed or broke.
    case sshSurvives = "ssh-survives"
    /// The `xdp:xdp_exception` tracepoint never fired.
    case noXDPExceptions = "no-xdp-exceptions"
    /// Sequenced traffic arrived in the order it was sent: nothing out of order, nothing twice.
    case inOrder = "in-order"
    /// No sequenced packet went missing, or no more than `sequence.max-loss` allows.
    case noLoss = "no-loss"
    /// After a recovery drill's break, every SSH session worked again within `restore-within`, and the interface
    /// was left without the program that broke it.
    case recovers
    /// Under the load phase (`traffic.load`), every packet that reached XDP went where it had to: none lost, none
    /// delivered to the wrong side.
    case loadNoLoss = "load-no-loss"

    /// The checks that judge sequenced traffic (`traffic.sequence`) rather than packet classes.
    public var needsSequence: Bool { self == .inOrder || self == .noLoss }
}

/// `holds` for a healthy stack; `violated` for incident labs, which pass only when the failure is reproduced.
public enum Outcome: String, Sendable, Codable, CaseIterable {
    case holds, violated
}
