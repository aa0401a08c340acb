import Foundation
import KernelObservation

/// How a check runs. The defaults are what `xdplab check` uses.
public struct CheckOptions: Sendable {
    public enum Isolation: Sendable, Equatable {
        /// A namespace of the check's own, named `xdplab-<run>-check` with an ownership record unless a name
        /// is given (tests give `xdplab-tcheck-…`).
        case ownNamespace(name: String?)
        /// The process's namespace: no sockets, so only the empty state runs.
        case currentNamespace
    }

    /// Which queues each sweep value runs on; every corpus case runs on every queue either way.
    public enum SweepQueues: Sendable, Equatable {
        /// Every value on every queue: the full product (4 queues: 1.6 M runs).
        case every
        /// Each value on one queue in turn (4 queues: 0.4 M runs), for a check that must take a quarter of the time.
        case spread
    }

    public var ports: [UInt16]
    public var queues: Int
    public var isolation: Isolation
    /// Where a `.bpf.c` is compiled; nil makes (and removes) a temporary folder.
    public var workDirectory: String?
    /// When set, the frames the matrix runs are also written here (`FrameFile`), for Benchmarks/check-rate.
    public var framesFile: String?
    public var sweepQueues: SweepQueues
    /// Threads that share the test runs of each queue and state, each with a descriptor of its own for the program.
    public var threads: Int

    public static let defaultPorts: [UInt16] = [8003, 8004, 8005]
    public static let defaultQueues = 4
    public static let maximumQueues = 64
    /// One per core: test runs are CPU-bound and independent within one slot state.
    public static let defaultThreads = ProcessInfo.processInfo.activeProcessorCount

    public init(ports: [UInt16] = defaultPorts, queues: Int = defaultQueues, isolation: Isolation = .ownNamespace(name: nil),
                workDirectory: String? = nil, framesFile: String? = nil, sweepQueues: SweepQueues = .every,
                threads: Int = CheckOptions.defaultThreads) {
        self.threads = threads
        self.ports = ports
        self.queues = queues
        self.isolation = isolation
        self.workDirectory = workDirectory
        self.framesFile = framesFile
        self.sweepQueues = sweepQueues
    }
}

/// Seconds spent in each phase of one check.
public struct CheckTiming: Sendable, Codable, Equatable {
    public var compileAndLoad = 0.0
    public var environment = 0.0
    public var corpus = 0.0
    /// The C loop alone: every BPF_PROG_TEST_RUN of the matrix.
    public var testRuns = 0.0
    /// Applying the rules and counting verdicts.
    public var judging = 0.0
    public var total = 0.0

    public init() {}

    /// The matrix as the rate counts it: test runs plus judging.
    public var matrix: Double { testRuns + judging }
}

/// Everything one check found.
public struct CheckReport: Sendable {
    /// As given on the command line.
    public let program: String
    public let objectPath: String
    public let ports: [UInt16]
    /// Queues asked for, and queues that ran (fewer only when the check had to run without a namespace).
    public let queuesRequested: Int
    public let queuesRun: Int
    public let states: [SlotState]
    /// Why the check ran less than the full matrix, and other things a reader should know.
    public let notes: [String]
    public let corpusCases: Int
    /// Cases shorter than an Ethernet header: listed, not run.
    public let notRun: [String]
    public let frames: Int
    /// Frames that ran on one queue each (the sweep values, unless they ran on every queue).
    public let spreadFrames: Int
    public let runs: Int
    public let tallies: [ClassTally]
    public let violations: [CheckViolation]
    public let lint: [RedirectLint.Call]
    public let timing: CheckTiming
    /// Set when the program checked is a live one, loaded and attached by another process.
    public let attached: AttachedCheck?

    public init(program: String, objectPath: String, ports: [UInt16], queuesRequested: Int, queuesRun: Int,
                states: [SlotState], notes: [String], corpusCases: Int, notRun: [String], frames: Int, spreadFrames: Int = 0,
                runs: Int,
                tallies: [ClassTally], violations: [CheckViolation], lint: [RedirectLint.Call], timing: CheckTiming,
                attached: AttachedCheck? = nil) {
        self.program = program
        self.objectPath = objectPath
        self.ports = ports
        self.queuesRequested = queuesRequested
        self.queuesRun = queuesRun
        self.states = states
        self.notes = notes
        self.corpusCases = corpusCases
        self.notRun = notRun
        self.frames = frames
        self.spreadFrames = spreadFrames
        self.runs = runs
        self.tallies = tallies
        self.violations = violations
        self.lint = lint
        self.timing = timing
        self.attached = attached
    }

    /// No run broke the rules.
    public var passed: Bool { violations.isEmpty }
    /// Both states on every requested queue. A live program: every queue of its interface in its live state,
    /// and the empty state somewhere (on the interface, or on a queue beyond it).
    public var complete: Bool {
        if let attached {
            return attached.interface != nil && attached.registeredQueues.count + attached.emptyQueues.count == attached.interfaceQueues
                && (!attached.emptyQueues.isEmpty || attached.beyond != nil)
        }
        return states.contains(.registered) && queuesRun == queuesRequested
    }
    /// Runs per second of the matrix (test runs and judging).
    public var rate: Double { timing.matrix > 0 ? Double(runs) / timing.matrix : 0 }
    /// Violating runs (a violation entry can stand for several queues and sweep values).
    public var violatingRuns: Int { tallies.reduce(0) { $0 + $1.violations.reduce(0, +) } }

    /// One line for the lab runner's log: "check port_redirect.bpf.c: passed, 1,573,504 runs …".
    public var shortText: String {
        let name = attached.map { "\($0.program.name) (id \($0.program.id), attached)" } ?? URL(fileURLWithPath: program).lastPathComponent
        let scope = "\(Self.grouped(runs)) runs (\(scopeText))"
        guard passed else {
            let named = violations.prefix(3).map { "\($0.caseName) (\($0.state.title), \($0.queueText)): \($0.verdict.name)" }
            let more = violations.count > 3 ? ", and \(violations.count - 3) more" : ""
            return "check \(name): FAILED, \(Self.grouped(violatingRuns)) of \(scope) broke the rules: "
                + named.joined(separator: "; ") + more
        }
        return "check \(name): passed, \(scope)" + (complete ? "" : "; incomplete: " + notes.joined(separator: "; "))
    }

    /// "241 frames × 4 queues + 196,608 sweep values spread over the queues, × 2 states"; for a live
    /// program, whose queues each ran one state: "241 frames × 5 queues + 196,608 sweep values × 2 states,
    /// spread over each state's queues".
    public var scopeText: String {
        if attached != nil {
            var text = "\(Self.grouped(frames - spreadFrames)) frames × \(queuesRun) queue\(queuesRun == 1 ? "" : "s")"
            if spreadFrames > 0 {
                text += " + \(Self.grouped(spreadFrames)) sweep values × \(stateRuns) state\(stateRuns == 1 ? "" : "s"), spread over "
                    + (stateRuns == 1 ? "its queues" : "each state's queues")
            }
            return text + ", each queue in its live state"
        }
        var text = "\(Self.grouped(frames - spreadFrames)) frames × \(queuesRun) queue\(queuesRun == 1 ? "" : "s")"
        if spreadFrames > 0 { text += " + \(Self.grouped(spreadFrames)) sweep values spread over the queues" }
        return text + ", × \(states.count) state\(states.count == 1 ? "" : "s")"
    }

    /// Separate sets of queues that ran, one state each (a live program's registered queues, its empty
    /// ones, a queue beyond its interface); for a program of a file, the states.
    var stateRuns: Int {
        guard let attached else { return states.count }
        return [!attached.registeredQueues.isEmpty, !attached.emptyQueues.isEmpty, attached.beyond != nil,
                attached.interface == nil].filter { $0 }.count
    }

    /// "1,573,504".
    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }
}

/// What the lab runner needs from a pre-flight check.
public struct CheckSummary: Sendable {
    public let passed: Bool
    /// One line: the verdict, the run count, the first violations.
    public let text: String
    public let report: CheckReport
}

/// How a live program was checked: which program, which map, which queue ran in which state, and why.
public struct AttachedCheck: Sendable, Equatable {
    public let program: AttachedProgram
    /// The XSKMAP among the program's maps (`xsks_map` preferred), nil when it has none. Never written.
    public let xskMap: XSKMapSummary?
    /// The interface whose sockets decide the states; nil for a program checked by id alone.
    public let namespace: String?
    public let interface: String?
    public let ifindex: Int32?
    /// The interface's RX queues as the kernel counts them for test runs.
    public let interfaceQueues: Int?
    /// Queues of the interface with an AF_XDP socket bound: matching frames must be redirected there.
    public let registeredQueues: [Int]
    /// Queues of the interface without one (or, by id alone, of the scratch device): matching frames must pass.
    public let emptyQueues: [Int]
    /// When every queue of the interface holds a socket: the empty state on a queue beyond it.
    public let beyond: BeyondQueue?
    /// The sockets bound to the interface, as the kernel reports them.
    public let sockets: [ObservedSocket]

    public init(program: AttachedProgram, xskMap: XSKMapSummary?, namespace: String?, interface: String?, ifindex: Int32?,
                interfaceQueues: Int?, registeredQueues: [Int], emptyQueues: [Int], beyond: BeyondQueue?,
                sockets: [ObservedSocket]) {
        self.program = program
        self.xskMap = xskMap
        self.namespace = namespace
        self.interface = interface
        self.ifindex = ifindex
        self.interfaceQueues = interfaceQueues
        self.registeredQueues = registeredQueues
        self.emptyQueues = emptyQueues
        self.beyond = beyond
        self.sockets = sockets
    }

    /// "xsks_map (id 12, 64 slots)".
    public struct XSKMapSummary: Sendable, Equatable {
        public let id: UInt32
        public let name: String
        public let slots: Int
        public var text: String { "\(name) (id \(id), \(slots) slots)" }
    }

    /// A queue index at or beyond the interface's RX queue count, on a scratch veth of the check's own with
    /// more queues: the kernel refuses an rx_queue_index beyond a device's queues, and no socket can be
    /// bound there on the interface, so its slot is empty.
    public struct BeyondQueue: Sendable, Equatable {
        public let queue: Int
        public let device: String
        /// The scratch namespace, nil when the check had to use its own namespace's devices.
        public let namespace: String?
        public let ifindex: Int32
    }

    /// "0, 2-3" for the report's lines.
    static func queueList(_ queues: [Int]) -> String {
        var parts: [String] = []
        var index = 0
        while index < queues.count {
            var end = index
            while end + 1 < queues.count, queues[end + 1] == queues[end] + 1 { end += 1 }
            parts.append(end == index ? "\(queues[index])" : "\(queues[index])-\(queues[end])")
            index = end + 1
        }
        return parts.joined(separator: ", ")
    }
}
