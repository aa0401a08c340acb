import LabModel

/// One check a lab asks for, by the lab model's name for it. A check the verifier cannot judge (a sequence check
/// in a packet-class lab, say) gives a failed result that says so.
public struct CheckRequest: Sendable, Equatable {
    public let name: CheckName
    public let expected: Outcome

    public init(name: CheckName, expected: Outcome) {
        self.name = name
        self.expected = expected
    }
}

/// The verdict on one check.
public struct CheckResult: Sendable, Equatable {
    public let name: String
    public let expected: Outcome
    /// Whether the property the check names was true in this run.
    public let held: Bool
    /// False when the run cannot decide the check (no SSH traffic, unknown name, no tracepoints).
    /// An undecided check never passes, whatever the lab expected.
    public let judged: Bool
    /// One line when all is well; when not, what went wrong, grouped, with offenders and kernel evidence.
    public let detail: String
    /// The first packets that did not go where they had to (at most `Verifier.offenderLimit`).
    public let offenders: [Offender]

    /// The run came out the way the lab expected.
    public var passed: Bool { judged && held == (expected == .holds) }

    /// The one pass rule for a lab's run: at least one check, each came out as the lab expected, and nothing the
    /// run itself had to do failed (`runFailures`: a fault that could not be injected, say).
    public static func allPassed(_ results: [CheckResult], runFailures: [String] = []) -> Bool {
        !results.isEmpty && results.allSatisfy(\.passed) && runFailures.isEmpty
    }

    public init(name: String, expected: Outcome, held: Bool, judged: Bool = true,
                detail: String, offenders: [Offender] = []) {
        self.name = name
        self.expected = expected
        self.held = held
        self.judged = judged
        self.detail = detail
        self.offenders = offenders
    }
}

extension CheckResult: Codable {
    private enum CodingKeys: String, CodingKey { case name, passed, expected, held, judged, detail, offenders }

    /// Writes `passed` too: readers of a report should not have to recompute it.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(passed, forKey: .passed)
        try container.encode(expected, forKey: .expected)
        try container.encode(held, forKey: .held)
        try container.encode(judged, forKey: .judged)
        try container.encode(detail, forKey: .detail)
        try container.encode(offenders, forKey: .offenders)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name),
                  expected: try container.decode(Outcome.self, forKey: .expected),
                  held: try container.decode(Bool.self, forKey: .held),
                  judged: try container.decodeIfPresent(Bool.self, forKey: .judged) ?? true,
                  detail: try container.decode(String.self, forKey: .detail),
                  offenders: try container.decodeIfPresent([Offender].self, forKey: .offenders) ?? [])
    }
}

/// A packet that did not end where it had to.
public struct Offender: Sendable, Codable, Equatable {
    public let id: UInt64
    public let trafficClass: String
    public let queue: Int
    public let flow: String
    /// Where it had to go, in words: "the kernel (no socket on queue 2, the fallback must pass them)".
    public let expectedFate: String
    public let observedFate: Fate
    /// The XDP verdict fexit recorded for it ("XDP_REDIRECT to key 0, failed: EINVAL"); nil where verdicts were
    /// not recorded, "none recorded" when the recorder did not see it.
    public let verdict: String?

    public init(id: UInt64, trafficClass: String, queue: Int, flow: String, expectedFate: String, observedFate: Fate,
                verdict: String? = nil) {
        self.verdict = verdict
        self.id = id
        self.trafficClass = trafficClass
        self.queue = queue
        self.flow = flow
        self.expectedFate = expectedFate
        self.observedFate = observedFate
    }
}
