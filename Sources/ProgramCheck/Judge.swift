/// What BPF_PROG_TEST_RUN returned for every run of one check. Frames below `everyQueueFrames` ran on
/// every queue; each later frame (the sweeps) ran on one queue, `(frame - everyQueueFrames) % queueCount`.
/// Per state, `retvals` holds `[queue][everyQueueFrames]` and then one value per later frame.
public struct VerdictMatrix: Sendable {
    public let frameCount: Int
    public let queueCount: Int
    public let everyQueueFrames: Int
    /// `[.empty]`, or `[.empty, .registered]` when sockets could be registered; one state for a live program.
    public let states: [SlotState]
    /// The RX queue index each of the `queueCount` queues ran as, ascending: 0..<queueCount unless the
    /// matrix ran on chosen queues (a live program's queues in one state). Each below 64.
    public let queueIDs: [Int]
    public var retvals: [UInt32]

    /// `everyQueueFrames` nil: every frame ran on every queue. `queueIDs` nil: queues 0..<queueCount.
    public init(frameCount: Int, queueCount: Int, everyQueueFrames: Int? = nil, states: [SlotState], queueIDs: [Int]? = nil,
                retvals: [UInt32]) {
        self.frameCount = frameCount
        self.queueCount = queueCount
        self.everyQueueFrames = everyQueueFrames ?? frameCount
        self.states = states
        self.queueIDs = queueIDs ?? Array(0..<queueCount)
        self.retvals = retvals
        precondition(self.everyQueueFrames <= frameCount && retvals.count == states.count * stride, "one return value per run")
        precondition(self.queueIDs.count == queueCount && self.queueIDs.allSatisfy { (0..<64).contains($0) }, "one id per queue, below 64")
    }

    /// Values per state.
    var stride: Int { queueCount * everyQueueFrames + frameCount - everyQueueFrames }

    public var runs: Int { retvals.count }

    /// The one queue (its position in `queueIDs`) a frame at or after `everyQueueFrames` ran on.
    public func spreadQueue(of frame: Int) -> Int { (frame - everyQueueFrames) % queueCount }

    /// The return value of one run on RX queue `queue`, or nil when that frame did not run on that queue.
    public func retval(frame: Int, queue: Int, state: SlotState) -> UInt32? {
        guard let position = states.firstIndex(of: state), let place = queueIDs.firstIndex(of: queue) else { return nil }
        if frame < everyQueueFrames { return retvals[position * stride + place * everyQueueFrames + frame] }
        guard spreadQueue(of: frame) == place else { return nil }
        return retvals[position * stride + queueCount * everyQueueFrames + frame - everyQueueFrames]
    }
}

/// Verdict counts of one class: `counts[state][bucket]`, buckets as in `XDPVerdict.bucketNames`.
public struct ClassTally: Sendable, Equatable {
    public let caseClass: CaseClass
    /// Distinct frames of the class (each ran once per queue and state).
    public let frames: Int
    public var counts: [[Int]]
    /// Runs that broke the rules, per state.
    public var violations: [Int]

    public init(caseClass: CaseClass, frames: Int) {
        self.caseClass = caseClass
        self.frames = frames
        counts = Array(repeating: Array(repeating: 0, count: XDPVerdict.bucketNames.count), count: SlotState.allCases.count)
        violations = Array(repeating: 0, count: SlotState.allCases.count)
    }

    public func runs(_ state: SlotState) -> Int { counts[state.rawValue].reduce(0, +) }

    /// Adds another matrix's counts for the same class.
    mutating func add(_ other: ClassTally) {
        precondition(other.caseClass == caseClass && other.frames == frames, "the same class of the same batch")
        for state in counts.indices {
            for bucket in counts[state].indices { counts[state][bucket] += other.counts[state][bucket] }
            violations[state] += other.violations[state]
        }
    }
}

/// One frame in one state that broke the rules on the queues in `queues` (a bit per RX queue index), all
/// with the same return value.
struct RawViolation: Hashable, Sendable {
    let frame: Int
    let state: SlotState
    let retval: UInt32
    let queues: UInt64
}

/// Applies `CheckRules` to a whole matrix: the tallies for the table and every violation, grouped by
/// frame, state and return value. Pure, so the rules are tested without a kernel.
enum Judge {
    static func judge(_ matrix: VerdictMatrix, expectations: [UInt8],
                      classes: [(caseClass: CaseClass, range: Range<Int>)]) -> (tallies: [ClassTally], violations: [RawViolation]) {
        precondition(expectations.count == matrix.frameCount && matrix.queueCount <= 64, "one expectation per frame, at most 64 queues")
        // allowed[expectation * 2 + state]: bit v set when return value v is allowed.
        var allowed = [UInt8](repeating: 0, count: FrameExpectation.allCases.count * 2)
        for expectation in FrameExpectation.allCases {
            for state in SlotState.allCases {
                allowed[Int(expectation.rawValue) * 2 + state.rawValue] = CheckRules.allowedMask(expectation, state)
            }
        }
        var tallies: [ClassTally] = []
        var violations: [RawViolation] = []
        let queues = matrix.queueCount, every = matrix.everyQueueFrames, stride = matrix.stride
        let bits = matrix.queueIDs.map { UInt64(1) << UInt64($0) }
        matrix.retvals.withUnsafeBufferPointer { retvals in
            expectations.withUnsafeBufferPointer { expect in
                for (caseClass, range) in classes {
                    var tally = ClassTally(caseClass: caseClass, frames: range.count)
                    for (position, state) in matrix.states.enumerated() {
                        let base = position * stride
                        var counts = [Int](repeating: 0, count: XDPVerdict.bucketNames.count)
                        var bad = 0
                        for frame in range {
                            let mask = allowed[Int(expect[frame]) * 2 + state.rawValue]
                            if frame >= every {
                                // A sweep value: one run, on its own queue.
                                let value = retvals[base + queues * every + frame - every]
                                counts[value <= 4 ? Int(value) : 5] += 1
                                if value > 4 || mask & (1 << UInt8(value)) == 0 {
                                    bad += 1
                                    violations.append(RawViolation(frame: frame, state: state, retval: value,
                                                                   queues: bits[matrix.spreadQueue(of: frame)]))
                                }
                                continue
                            }
                            var firstBad: UInt32 = 0, badQueues: UInt64 = 0, mixed = false
                            for queue in 0..<queues {
                                let value = retvals[base + queue * every + frame]
                                counts[value <= 4 ? Int(value) : 5] += 1
                                if value > 4 || mask & (1 << UInt8(value)) == 0 {
                                    if badQueues == 0 { firstBad = value } else if value != firstBad { mixed = true }
                                    badQueues |= bits[queue]
                                }
                            }
                            guard badQueues != 0 else { continue }
                            bad += badQueues.nonzeroBitCount
                            if !mixed {
                                violations.append(RawViolation(frame: frame, state: state, retval: firstBad, queues: badQueues))
                            } else {
                                violations += split(frame: frame, state: state, queueIDs: matrix.queueIDs, badQueues: badQueues) {
                                    retvals[base + $0 * every + frame]
                                }
                            }
                        }
                        tally.counts[state.rawValue] = counts
                        tally.violations[state.rawValue] = bad
                    }
                    tallies.append(tally)
                }
            }
        }
        return (tallies, violations)
    }

    /// Several matrices of one batch judged together (a live program: its queues in their live states, each
    /// state on its own, and a queue beyond the interface): tallies added class by class, violations ordered
    /// by class, state and frame, as a single matrix of both states gives them.
    static func judge(_ matrices: [VerdictMatrix], expectations: [UInt8],
                      classes: [(caseClass: CaseClass, range: Range<Int>)]) -> (tallies: [ClassTally], violations: [RawViolation]) {
        var tallies = classes.map { ClassTally(caseClass: $0.caseClass, frames: $0.range.count) }
        var violations: [RawViolation] = []
        for matrix in matrices {
            let judged = judge(matrix, expectations: expectations, classes: classes)
            for index in tallies.indices { tallies[index].add(judged.tallies[index]) }
            violations += judged.violations
        }
        guard matrices.count > 1 else { return (tallies, violations) }
        let starts = classes.map(\.range.lowerBound)
        let keyed = violations.map { violation in
            (key: (starts.lastIndex { $0 <= violation.frame } ?? 0, violation.state.rawValue, violation.frame, violation.queues),
             violation: violation)
        }
        return (tallies, keyed.sorted { $0.key < $1.key }.map(\.violation))
    }

    /// One violation per distinct return value, when a frame's bad queues disagree. `retval` takes a queue's position.
    private static func split(frame: Int, state: SlotState, queueIDs: [Int], badQueues: UInt64,
                              retval: (Int) -> UInt32) -> [RawViolation] {
        var byValue: [UInt32: UInt64] = [:]
        for (position, queue) in queueIDs.enumerated() where badQueues & (1 << UInt64(queue)) != 0 {
            byValue[retval(position), default: 0] |= 1 << UInt64(queue)
        }
        return byValue.keys.sorted().map { RawViolation(frame: frame, state: state, retval: $0, queues: byValue[$0]!) }
    }
}
