/// One broken rule, as the report lists it: a case (or a run of sweep values that broke it alike) in one
/// state on some queues, what it returned, what was allowed, why that matters, and the frame itself.
public struct CheckViolation: Sendable, Equatable {
    /// The case name, or for a sweep the span of its values such as "udp4-dport-8006…8010".
    public let caseName: String
    public let caseClass: CaseClass
    public let state: SlotState
    public let queues: [Int]
    public let verdict: XDPVerdict
    public let expectation: FrameExpectation
    public let allowed: [XDPVerdict]
    public let why: String
    /// The frame of the case; for a run of sweep values, the first one's.
    public let frame: [UInt8]
    /// 1, or the number of sweep values in the entry.
    public let cases: Int
    /// 1, or for sweep values scattered over the range in `caseName`, how many separate runs they form.
    public let valueRuns: Int

    public init(caseName: String, caseClass: CaseClass, state: SlotState, queues: [Int], verdict: XDPVerdict,
                expectation: FrameExpectation, frame: [UInt8], cases: Int = 1, valueRuns: Int = 1) {
        self.caseName = caseName
        self.caseClass = caseClass
        self.state = state
        self.queues = queues
        self.verdict = verdict
        self.expectation = expectation
        self.allowed = CheckRules.allowed(expectation, state)
        self.why = CheckRules.explanation(verdict, expectation, state) ?? ""
        self.frame = frame
        self.cases = cases
        self.valueRuns = valueRuns
    }

    /// "", " (100 values)", " (49,152 values in 16,384 runs)".
    public var valuesText: String {
        guard cases > 1 else { return "" }
        return " (\(CheckReport.grouped(cases)) values" + (valueRuns > 1 ? " in \(CheckReport.grouped(valueRuns)) runs)" : ")")
    }

    /// "queue 2", "queues 0-3", "queues 1, 3".
    public var queueText: String { Self.describe(queues) }

    static func describe(_ queues: [Int]) -> String {
        guard queues.count > 1 else { return "queue \(queues.first ?? 0)" }
        if queues.last! - queues.first! == queues.count - 1 { return "queues \(queues.first!)-\(queues.last!)" }
        return "queues " + queues.map(String.init).joined(separator: ", ")
    }

    /// Sweep values that broke the rules alike and lie in at most this many separate runs of consecutive
    /// values get one entry per run; more runs (a program that misbehaves on one queue of four) become one
    /// entry for the whole set.
    static let separateRuns = 8

    /// Turns the judge's raw violations into report entries: one per corpus case, state and return value;
    /// sweep values grouped by state, return value and expectation into runs of consecutive values.
    static func grouped(_ raw: [RawViolation], batch: FrameBatch) -> [CheckViolation] {
        var result: [CheckViolation] = []
        var index = 0
        while index < raw.count {
            let first = raw[index]
            let segment = batch.segment(containing: first.frame)
            guard let sweepNumber = segment.sweep else {
                let described = batch.describe(first.frame)
                result.append(entry(first, name: described.name, caseClass: segment.caseClass, frame: described.frame,
                                    cases: 1, batch: batch))
                index += 1
                continue
            }
            // Everything this sweep got wrong in this state (the judge lists it frame by frame, in order).
            var end = index
            while end < raw.count, raw[end].state == first.state, segment.range.contains(raw[end].frame) { end += 1 }
            result += sweepEntries(raw[index..<end], sweep: batch.sweeps[sweepNumber], segment: segment, batch: batch)
            index = end
        }
        return result
    }

    /// One sweep's violations in one state.
    private static func sweepEntries(_ raw: ArraySlice<RawViolation>, sweep: Sweep, segment: FrameBatch.Segment,
                                     batch: FrameBatch) -> [CheckViolation] {
        struct Run { var first: Int; var last: Int; var queues: UInt64 }
        struct Group { let retval: UInt32; let expectation: UInt8; var runs: [Run]; var count: Int }
        var groups: [Group] = []
        for violation in raw {
            let value = violation.frame - segment.range.lowerBound
            let expectation = batch.expectations[violation.frame]
            var at = groups.firstIndex { $0.retval == violation.retval && $0.expectation == expectation }
            if at == nil {
                groups.append(Group(retval: violation.retval, expectation: expectation, runs: [], count: 0))
                at = groups.count - 1
            }
            groups[at!].count += 1
            if let last = groups[at!].runs.last, last.last == value - 1 {
                groups[at!].runs[groups[at!].runs.count - 1].last = value
                groups[at!].runs[groups[at!].runs.count - 1].queues |= violation.queues
            } else {
                groups[at!].runs.append(Run(first: value, last: value, queues: violation.queues))
            }
        }
        var entries: [(first: Int, entry: CheckViolation)] = []
        for group in groups {
            let state = raw.first!.state
            if group.runs.count <= separateRuns {
                for run in group.runs {
                    let merged = RawViolation(frame: segment.range.lowerBound + run.first, state: state, retval: group.retval,
                                              queues: run.queues)
                    entries.append((run.first, entry(merged, name: sweep.caseName(from: run.first, to: run.last),
                                                     caseClass: segment.caseClass, frame: sweep.frame(at: run.first),
                                                     cases: run.last - run.first + 1, batch: batch)))
                }
            } else {
                let first = group.runs.first!.first, last = group.runs.last!.last
                let queues = group.runs.reduce(UInt64(0)) { $0 | $1.queues }
                let merged = RawViolation(frame: segment.range.lowerBound + first, state: state, retval: group.retval, queues: queues)
                entries.append((first, entry(merged, name: sweep.caseName(from: first, to: last), caseClass: segment.caseClass,
                                             frame: sweep.frame(at: first), cases: group.count, valueRuns: group.runs.count,
                                             batch: batch)))
            }
        }
        return entries.sorted { $0.first < $1.first }.map(\.entry)
    }

    private static func entry(_ raw: RawViolation, name: String, caseClass: CaseClass, frame: [UInt8], cases: Int,
                              valueRuns: Int = 1, batch: FrameBatch) -> CheckViolation {
        CheckViolation(caseName: name, caseClass: caseClass, state: raw.state,
                       queues: (0..<64).filter { raw.queues & (1 << UInt64($0)) != 0 }, verdict: XDPVerdict(raw.retval),
                       expectation: FrameExpectation(rawValue: batch.expectations[raw.frame])!, frame: frame, cases: cases,
                       valueRuns: valueRuns)
    }
}
