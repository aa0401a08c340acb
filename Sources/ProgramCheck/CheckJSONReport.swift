import Foundation
import KernelObservation

/// Machine-readable check results: `{"check":{"program":…,"passed":…,"classes":[…],"violations":[…],"lint":[…],…}}`,
/// or `{"check":{"program":…,"passed":false,"error":…}}` when no matrix could be made.
public enum CheckJSONReport {
    public static func render(_ report: CheckReport) -> String {
        encode(Document(check: Body(report)))
    }

    public static func render(program: String, error: String) -> String {
        encode(Document(check: Body(program: program, error: error)))
    }

    private static func encode(_ document: Document) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
        } catch {
            return "{\"check\":{\"passed\":false,\"error\":\"cannot encode the report\"}}\n"
        }
    }

    struct Document: Encodable { let check: Body }

    struct Body: Encodable {
        var program: String
        var object: String?
        var passed = false
        var complete = false
        var error: String?
        var ports: [UInt16]?
        var queuesRequested: Int?
        var queuesRun: Int?
        var states: [String]?
        var notes: [String]?
        var corpusCases: Int?
        var notRun: [String]?
        var frames: Int?
        var spreadFrames: Int?
        var runs: Int?
        var violatingRuns: Int?
        var runsPerSecond: Double?
        var timing: CheckTiming?
        var classes: [ClassRow]?
        var violations: [ViolationRow]?
        var lint: [LintRow]?
        var attached: AttachedRow?

        init(program: String, error: String) {
            self.program = program
            self.error = error
        }

        init(_ report: CheckReport) {
            program = report.program
            object = report.attached == nil ? report.objectPath : nil
            attached = report.attached.map(AttachedRow.init)
            passed = report.passed
            complete = report.complete
            ports = report.ports
            queuesRequested = report.queuesRequested
            queuesRun = report.queuesRun
            states = report.states.map(\.name)
            notes = report.notes
            corpusCases = report.corpusCases
            notRun = report.notRun
            frames = report.frames
            spreadFrames = report.spreadFrames
            runs = report.runs
            violatingRuns = report.violatingRuns
            runsPerSecond = report.rate.rounded()
            timing = report.timing
            classes = report.tallies.map { ClassRow($0, states: report.states) }
            violations = report.violations.map(ViolationRow.init)
            lint = report.lint.map(LintRow.init)
        }
    }

    struct ClassRow: Encodable {
        let caseClass: String
        let frames: Int
        /// State name → verdict name → runs.
        let verdicts: [String: [String: Int]]
        /// State name → violating runs.
        let violations: [String: Int]

        enum CodingKeys: String, CodingKey { case caseClass = "class", frames, verdicts, violations }

        init(_ tally: ClassTally, states: [SlotState]) {
            caseClass = tally.caseClass.rawValue
            frames = tally.frames
            var verdicts: [String: [String: Int]] = [:]
            var violations: [String: Int] = [:]
            for state in states {
                var counts: [String: Int] = [:]
                for (bucket, name) in XDPVerdict.bucketNames.enumerated() where tally.counts[state.rawValue][bucket] > 0 {
                    counts[name] = tally.counts[state.rawValue][bucket]
                }
                verdicts[state.name] = counts
                violations[state.name] = tally.violations[state.rawValue]
            }
            self.verdicts = verdicts
            self.violations = violations
        }
    }

    struct ViolationRow: Encodable {
        let caseName: String
        let caseClass: String
        let state: String
        let queues: [Int]
        let verdict: String
        let returnValue: Int32
        let expectation: String
        let allowed: [String]
        let why: String
        let cases: Int
        let valueRuns: Int
        let frame: String

        enum CodingKeys: String, CodingKey {
            case caseName = "case", caseClass = "class", state, queues, verdict, returnValue, expectation, allowed, why, cases,
                 valueRuns, frame
        }

        init(_ violation: CheckViolation) {
            caseName = violation.caseName
            caseClass = violation.caseClass.rawValue
            state = violation.state.name
            queues = violation.queues
            verdict = violation.verdict.name
            returnValue = Int32(bitPattern: violation.verdict.raw)
            expectation = violation.expectation.name
            allowed = violation.allowed.map(\.name)
            why = violation.why
            cases = violation.cases
            valueRuns = violation.valueRuns
            frame = HexDump.compact(violation.frame)
        }
    }

    /// A live program: which one, its map (never written), which queues ran in which state.
    struct AttachedRow: Encodable {
        let programID: UInt32
        let name: String
        let tag: String
        let mode: String?
        let mapIDs: [UInt32]
        let xskMap: String?
        let mapWritten = false
        let namespace: String?
        let interface: String?
        let ifindex: Int32?
        let interfaceQueues: Int?
        let registeredQueues: [Int]
        let emptyQueues: [Int]
        let beyondQueue: BeyondRow?
        let sockets: [SocketRow]

        struct BeyondRow: Encodable {
            let queue: Int
            let device: String
            let namespace: String?
            let ifindex: Int32
        }

        struct SocketRow: Encodable {
            let inode: UInt64
            let queue: Int
            let rxRingEntries: UInt32?
            let fillRingEntries: UInt32?
            let owners: [Int32]
            let source: String
        }

        init(_ attached: AttachedCheck) {
            programID = attached.program.id
            name = attached.program.name
            tag = attached.program.tag
            mode = attached.program.mode.map { $0 == .native ? "native" : "generic" }
            mapIDs = attached.program.mapIDs
            xskMap = attached.xskMap?.text
            namespace = attached.namespace
            interface = attached.interface
            ifindex = attached.ifindex
            interfaceQueues = attached.interfaceQueues
            registeredQueues = attached.registeredQueues
            emptyQueues = attached.emptyQueues
            beyondQueue = attached.beyond.map { BeyondRow(queue: $0.queue, device: $0.device, namespace: $0.namespace, ifindex: $0.ifindex) }
            sockets = attached.sockets.map {
                SocketRow(inode: $0.inode, queue: $0.queue, rxRingEntries: $0.rxRingEntries, fillRingEntries: $0.fillRingEntries,
                          owners: $0.owners, source: $0.source.rawValue)
            }
        }
    }

    struct LintRow: Encodable {
        let instruction: Int
        let map: String?
        let flags: [UInt64]
        let computedAtRunTime: Bool
        let fallbacks: [String]
        let summary: String

        init(_ call: RedirectLint.Call) {
            instruction = call.instruction
            map = call.map
            flags = call.flags
            computedAtRunTime = call.computedAtRunTime
            fallbacks = call.fallbacks
            summary = call.summary
        }
    }
}
