import Testing
@testable import ProgramCheck

@Suite("rules: verdicts to violations, without a kernel")
struct RulesTests {
    @Test("the allowed verdicts by expectation and state")
    func table() {
        #expect(CheckRules.allowed(.pass, .empty) == [.pass])
        #expect(CheckRules.allowed(.pass, .registered) == [.pass])
        #expect(CheckRules.allowed(.claim, .empty) == [.pass])
        #expect(CheckRules.allowed(.claim, .registered) == [.redirect])
        #expect(CheckRules.allowed(.passOrClaim, .empty) == [.pass])
        #expect(CheckRules.allowed(.passOrClaim, .registered) == [.pass, .redirect])
    }

    @Test("ABORTED, DROP, TX and illegal values are never allowed, whatever the frame and state")
    func neverAllowed() {
        for expectation in FrameExpectation.allCases {
            for state in SlotState.allCases {
                for verdict in [XDPVerdict.aborted, .drop, .tx, .illegal(5), .illegal(UInt32(bitPattern: -2))] {
                    #expect(!CheckRules.allows(verdict, expectation, state))
                    #expect(CheckRules.explanation(verdict, expectation, state) != nil)
                }
            }
        }
    }

    @Test("explanations name the cause")
    func explanations() {
        #expect(CheckRules.explanation(.aborted, .claim, .empty)?.contains("flags 0") == true)
        #expect(CheckRules.explanation(.pass, .claim, .registered)?.contains("not claimed") == true)
        #expect(CheckRules.explanation(.redirect, .pass, .registered)?.contains("does not match") == true)
        #expect(CheckRules.explanation(.redirect, .claim, .empty)?.contains("every slot empty") == true)
        #expect(CheckRules.explanation(.illegal(UInt32(bitPattern: -2)), .pass, .empty)?.contains("-2") == true)
        #expect(CheckRules.explanation(.pass, .pass, .empty) == nil)
    }

    @Test("return values name their action", arguments: [
        (UInt32(0), "ABORTED"), (1, "DROP"), (2, "PASS"), (3, "TX"), (4, "REDIRECT"), (5, "illegal 5"), (UInt32.max - 1, "illegal -2"),
    ])
    func verdictNames(raw: UInt32, name: String) {
        #expect(XDPVerdict(raw).name == name)
        #expect(XDPVerdict(raw).raw == raw)
    }

    /// Three frames (pass, claim, passOrClaim) on two queues in both states.
    func matrix(_ values: [[UInt32]]) -> VerdictMatrix {
        VerdictMatrix(frameCount: 3, queueCount: 2, states: [.empty, .registered], retvals: values.flatMap { $0 })
    }
    let expectations: [UInt8] = [FrameExpectation.pass.rawValue, FrameExpectation.claim.rawValue, FrameExpectation.passOrClaim.rawValue]

    @Test("a correct program: no violations, verdicts tallied by class and state")
    func clean() {
        let values: [[UInt32]] = [[2, 2, 2], [2, 2, 2], [2, 4, 4], [2, 4, 2]]   // [state][queue][frame]
        let (tallies, violations) = Judge.judge(matrix(values), expectations: expectations,
                                                classes: [(.udpOtherPort, 0..<1), (.udpValidatorPort, 1..<3)])
        #expect(violations.isEmpty)
        #expect(tallies.map(\.caseClass) == [.udpOtherPort, .udpValidatorPort])
        #expect(tallies[1].counts[SlotState.registered.rawValue] == [0, 0, 1, 0, 3, 0])
        #expect(tallies[1].runs(.empty) == 4)
    }

    @Test("violations are grouped by frame, state and value, with their queues")
    func violations() {
        let values: [[UInt32]] = [[2, 0, 2], [2, 0, 2],                 // empty: frame 1 ABORTED on both queues
                                  [4, 4, 1], [2, 2, 0xFFFF_FFFE]]       // registered: frame 0 claimed on q0, frame 1 PASS on q1, frame 2 DROP/-2
        let (tallies, violations) = Judge.judge(matrix(values), expectations: expectations, classes: [(.malformed, 0..<3)])
        #expect(violations == [
            RawViolation(frame: 1, state: .empty, retval: 0, queues: 0b11),
            RawViolation(frame: 0, state: .registered, retval: 4, queues: 0b01),
            RawViolation(frame: 1, state: .registered, retval: 2, queues: 0b10),
            RawViolation(frame: 2, state: .registered, retval: 1, queues: 0b01),
            RawViolation(frame: 2, state: .registered, retval: 0xFFFF_FFFE, queues: 0b10),
        ])
        #expect(tallies[0].violations == [2, 4])
        #expect(tallies[0].counts[SlotState.registered.rawValue][5] == 1, "one illegal value")
    }

    @Test("a sweep's consecutive violations become one entry; corpus cases stay one entry each")
    func grouping() {
        let ports: [UInt16] = [8003]
        let cases = [CheckCase("udp4-to-8003", .udpValidatorPort, FrameKit().udp4(to: 8003)),
                     CheckCase("udp4-to-53", .udpOtherPort, FrameKit().udp4(to: 53))]
        let batch = FrameBatch(cases: cases, sweeps: [Sweep(.udp4Ports, ports: ports)], ports: Set(ports))
        #expect(batch.count == 2 + 65536)
        // A program that drops UDP to ports 100-199 and 8003, everywhere: one queue, empty state only.
        var retvals = [UInt32](repeating: 2, count: batch.count)
        retvals[0] = 1
        for port in 100..<200 { retvals[2 + port] = 1 }
        retvals[2 + 8003] = 1
        let matrix = VerdictMatrix(frameCount: batch.count, queueCount: 1, states: [.empty], retvals: retvals)
        let judged = Judge.judge(matrix, expectations: batch.expectations, classes: batch.segments.map { ($0.caseClass, $0.range) })
        let grouped = CheckViolation.grouped(judged.violations, batch: batch)
        #expect(grouped.map(\.caseName) == ["udp4-to-8003", "udp4-dport-100…199", "udp4-dport-8003"])
        #expect(grouped.map(\.cases) == [1, 100, 1])
        #expect(grouped[1].frame == Sweep(.udp4Ports, ports: ports).frame(at: 100))
        #expect(grouped[1].allowed == [.pass] && grouped[2].expectation == .claim)
        #expect(grouped.allSatisfy { $0.verdict == .drop && $0.queueText == "queue 0" })
    }

    @Test("sweep values run on one queue each: layout, tallies and violations")
    func spread() {
        // Two frames on every queue, then four spread over two queues (frame 2 → q0, 3 → q1, 4 → q0, 5 → q1).
        let expectations = [UInt8](repeating: FrameExpectation.pass.rawValue, count: 6)
        let values: [UInt32] = [2, 2, 2, 2, 2, 1, 2, 2]           // one state: [q0: f0 f1][q1: f0 f1][f2 f3 f4 f5]
        let matrix = VerdictMatrix(frameCount: 6, queueCount: 2, everyQueueFrames: 2, states: [.empty], retvals: values)
        #expect(matrix.retval(frame: 3, queue: 1, state: .empty) == 1)
        #expect(matrix.retval(frame: 3, queue: 0, state: .empty) == nil)
        #expect(matrix.retval(frame: 1, queue: 1, state: .empty) == 2)
        #expect(matrix.retval(frame: 1, queue: 0, state: .registered) == nil)
        let (tallies, violations) = Judge.judge(matrix, expectations: expectations,
                                                classes: [(.ssh, 0..<2), (.sweepUDP4, 2..<6)])
        #expect(tallies.map { $0.runs(.empty) } == [4, 4])
        #expect(violations == [RawViolation(frame: 3, state: .empty, retval: 1, queues: 0b10)])
    }

    @Test("scattered sweep violations, such as every value on one queue of four, become one entry")
    func scattered() {
        let ports: [UInt16] = [8003]
        let batch = FrameBatch(cases: [], sweeps: [Sweep(.udp4Ports, ports: ports)], ports: Set(ports), sweepQueues: .spread)
        #expect(batch.everyQueueCount == 0)
        // Four queues, values spread over them; everything on queue 3 returns 7, everything else DROP.
        let retvals = (0..<65536).map { $0 % 4 == 3 ? UInt32(7) : 1 }
        let matrix = VerdictMatrix(frameCount: 65536, queueCount: 4, everyQueueFrames: 0, states: [.empty], retvals: retvals)
        let judged = Judge.judge(matrix, expectations: batch.expectations, classes: batch.segments.map { ($0.caseClass, $0.range) })
        let grouped = CheckViolation.grouped(judged.violations, batch: batch)
        // 8003 (on queue 3) is a validator port: another expectation, so an entry of its own.
        #expect(grouped.map(\.caseName) == ["udp4-dport-0…65534", "udp4-dport-3…65535", "udp4-dport-8003"])
        #expect(grouped.map(\.verdict) == [.drop, .illegal(7), .illegal(7)])
        #expect(grouped.map(\.cases) == [49152, 16383, 1])
        #expect(grouped.map(\.valueRuns) == [16384, 16383, 1])
        #expect(grouped.map(\.queues) == [[0, 1, 2], [3], [3]])
        #expect(grouped.map(\.expectation) == [.pass, .pass, .claim])
        #expect(grouped[0].valuesText == " (49,152 values in 16,384 runs)")
    }

    @Test("queue lists read naturally")
    func queueText() {
        #expect(CheckViolation.describe([2]) == "queue 2")
        #expect(CheckViolation.describe([0, 1, 2, 3]) == "queues 0-3")
        #expect(CheckViolation.describe([1, 3]) == "queues 1, 3")
    }
}
