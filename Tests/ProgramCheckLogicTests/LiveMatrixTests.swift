import Testing
@testable import ProgramCheck

/// A live program's queues run in separate matrices, one state each, on chosen RX queue indexes; the judge
/// reports them by their real queue numbers and adds them up as one matrix of both states would.
@Suite("judging a live program's matrices")
struct LiveMatrixTests {
    let expectations: [UInt8] = [FrameExpectation.pass.rawValue, FrameExpectation.claim.rawValue]
    let classes: [(caseClass: CaseClass, range: Range<Int>)] = [(.udpOtherPort, 0..<1), (.udpValidatorPort, 1..<2)]

    @Test("violations name the RX queues the matrix ran as, not its positions")
    func queueIDs() {
        // Queues 1 and 3 empty: the matching frame ABORTs on both.
        let matrix = VerdictMatrix(frameCount: 2, queueCount: 2, states: [.empty], queueIDs: [1, 3], retvals: [2, 0, 2, 0])
        let (_, violations) = Judge.judge(matrix, expectations: expectations, classes: classes)
        #expect(violations == [RawViolation(frame: 1, state: .empty, retval: 0, queues: 0b1010)])
        #expect(matrix.retval(frame: 1, queue: 3, state: .empty) == 0)
        #expect(matrix.retval(frame: 1, queue: 0, state: .empty) == nil)
    }

    @Test("a registered queue, empty queues and a queue beyond add up; violations come class by class, state by state")
    func merged() {
        let registered = VerdictMatrix(frameCount: 2, queueCount: 1, states: [.registered], queueIDs: [0], retvals: [1, 4])
        let empty = VerdictMatrix(frameCount: 2, queueCount: 2, states: [.empty], queueIDs: [1, 2], retvals: [2, 0, 2, 2])
        let beyond = VerdictMatrix(frameCount: 2, queueCount: 1, states: [.empty], queueIDs: [4], retvals: [1, 0])
        let (tallies, violations) = Judge.judge([registered, empty, beyond], expectations: expectations, classes: classes)
        #expect(tallies[0].counts[SlotState.empty.rawValue] == [0, 1, 2, 0, 0, 0])
        #expect(tallies[0].counts[SlotState.registered.rawValue] == [0, 1, 0, 0, 0, 0])
        #expect(tallies[1].counts[SlotState.empty.rawValue] == [2, 0, 1, 0, 0, 0])
        #expect(tallies[1].counts[SlotState.registered.rawValue] == [0, 0, 0, 0, 1, 0])
        #expect(tallies[1].violations == [2, 0])
        #expect(violations == [
            RawViolation(frame: 0, state: .empty, retval: 1, queues: 1 << 4),
            RawViolation(frame: 0, state: .registered, retval: 1, queues: 1 << 0),
            RawViolation(frame: 1, state: .empty, retval: 0, queues: 1 << 1),
            RawViolation(frame: 1, state: .empty, retval: 0, queues: 1 << 4),
        ])
    }
}
