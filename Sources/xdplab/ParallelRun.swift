import Foundation
import Synchronization
import Glibc
import LabModel
import Orchestrator
import Reports
import SystemSupport

/// `xdplab run --jobs N`: labs are isolated (own namespaces, own run id) and idle most of their life, so several run
/// at once, each in a child `xdplab run` of its own: a crash or a hang in one cannot take the others with it, and
/// each tears its own lab down. The children share the machine through `MachineShare`: paced traffic runs beside
/// anything, while a timing-sensitive phase (a sequence run, a load phase, `timing: sensitive`) waits until no other
/// lab is building or tearing down and holds off the others' bursts until it ends.
/// Reports come back as the children's JSON, in the order the labs were given; what the terminal or the log shows
/// meanwhile is `JobBoard`'s.
enum ParallelRun {
    /// Labs at once when `--jobs` is not given: labs sleep most of their life, four per core keep the cores busy.
    static var defaultJobs: Int { 4 * ProcessInfo.processInfo.activeProcessorCount }

    /// What a lab is expected to take, to start the longest first (the run then ends close to its longest lab).
    static func expectedSeconds(_ lab: Lab) -> Double {
        let sequence = lab.traffic.sequence.map { Double($0.plannedDuration ?? 10_000_000_000) / 1e9 } ?? 0
        return (lab.traffic.sequence == nil ? lab.traffic.duration : sequence) + (lab.traffic.load?.duration ?? 0)
    }

    static func run(_ labs: [Lab], jobs: Int, program: String?, captures: String, quiet: Bool, board: JobBoard,
                    journal: RunJournal) -> [LabReport] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-jobs-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let results = Results(count: labs.count)
        let sensitive = labs.filter(\.isTimingSensitive).count
        let width = min(jobs, labs.count)
        board.note("xdplab: \(labs.count) labs, \(width) at a time"
            + (sensitive == 0 ? "" : "; \(sensitive) timing-sensitive, whose sensitive phase runs while no other lab builds or tears down"))
        // A lab may wait for every timing-sensitive phase of the others; its bound allows for that.
        let allowance = labs.filter(\.isTimingSensitive).map(expectedSeconds).reduce(0, +)
        let child = Child(program: program, captures: captures, quiet: quiet, work: work, journal: journal, board: board,
                          waitAllowance: allowance)
        // Longest first; ties keep the order given.
        let order = labs.indices.sorted { (expectedSeconds(labs[$0]), -$0) > (expectedSeconds(labs[$1]), -$1) }
        runPool(order, width: width, labs: labs, child: child, results: results)
        // A lab without a report was never started: a signal stopped the run, whose handler writes the reports.
        return results.all.enumerated().map { index, report in
            report ?? .failure(lab: labs[index].name, file: labs[index].path, error: "not started: the run was interrupted",
                               kind: .interrupted, durationSeconds: 0, startedAt: nil, captureDirectory: nil)
        }
    }

    /// Runs `indices` with at most `width` children at once.
    private static func runPool(_ indices: [Int], width: Int, labs: [Lab], child: Child, results: Results) {
        let next = Results.Counter()
        let group = DispatchGroup()
        for _ in 0..<max(1, min(width, indices.count)) {
            group.enter()
            let thread = Thread {
                while let position = next.take(below: indices.count) {
                    let index = indices[position]
                    // nil: a signal is stopping the run, and no new lab starts.
                    guard let report = child.run(labs[index], index: index) else { break }
                    results.set(index, report)
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
    }

    /// How each child runs: the same program override, capture folder and quietness as this run.
    private struct Child: Sendable {
        let program: String?
        let captures: String
        let quiet: Bool
        let work: String
        let journal: RunJournal
        let board: JobBoard
        let waitAllowance: Double

        /// One child `xdplab run` for one lab, bounded by the lab's own length plus two minutes; nil when a signal
        /// stopped the run before it could start. The journal has the report before the child stops counting as
        /// running, so an interruption that waits for the children finds every report.
        func run(_ lab: Lab, index: Int) -> LabReport? {
            let json = "\(work)/\(index).json", log = "\(work)/\(index).log"
            let started = Date()
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            process.arguments = ["run", lab.path, "--json", json, "--captures", captures, "--jobs", "1"]
                + (program.map { ["--program", $0] } ?? []) + (quiet ? ["--quiet"] : [])
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: log)
            var environment = ProcessInfo.processInfo.environment
            environment[MachineShare.environmentKey] = work
            process.environment = environment
            let ended = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in ended.signal() }
            do {
                guard try Children.start(process) else { return nil }
            } catch {
                let report = failure(lab, "could not start a child xdplab run: \(error)", started: started)
                journal.finish(report)
                return report
            }
            journal.startedInChild(lab)
            let report = collect(process, lab: lab, json: json, log: log, ended: ended, started: started)
            journal.finish(report)
            Children.remove(process.processIdentifier)
            return report
        }

        /// Waits for the child (bounded) and reads its report.
        private func collect(_ process: Process, lab: Lab, json: String, log: String, ended: DispatchSemaphore,
                             started: Date) -> LabReport {
            board.started(lab.name, log: log)
            let limit = lab.traffic.duration + (lab.traffic.sequence.map { _ in 600.0 } ?? 0)
                + (lab.traffic.load?.duration ?? 0) + 120 + waitAllowance
            let finished = ended.wait(timeout: .now() + limit) != .timedOut
            if !finished {
                kill(process.processIdentifier, SIGTERM)
                if ended.wait(timeout: .now() + 10) == .timedOut { kill(process.processIdentifier, SIGKILL); ended.wait() }
            }
            board.ended(lab.name, block: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
            if !finished { return failure(lab, "did not finish within \(Int(limit))s; stopped", started: started) }
            guard let data = FileManager.default.contents(atPath: json) else {
                // Signalled before it could install its own handlers: it died of the signal, with nothing to report.
                if process.terminationReason == .uncaughtSignal, [SIGINT, SIGTERM].contains(process.terminationStatus) {
                    let name = process.terminationStatus == SIGINT ? "SIGINT" : "SIGTERM"
                    return failure(lab, "interrupted by \(name) as its child run started, before its lab began", kind: .interrupted,
                                   started: started)
                }
                return failure(lab, "the child xdplab run exited \(process.terminationStatus) without a report", started: started)
            }
            do {
                guard let report = try JSONReport.decode(String(decoding: data, as: UTF8.self)).labs.first else {
                    return failure(lab, "the child xdplab run wrote a report without a lab", started: started)
                }
                return report
            } catch {
                return failure(lab, "the child's report \(json) could not be read: \(error)", started: started)
            }
        }

        private func failure(_ lab: Lab, _ error: String, kind: LabErrorKind = .error, started: Date) -> LabReport {
            .failure(lab: lab.name, file: lab.path, error: error, kind: kind, durationSeconds: Date().timeIntervalSince(started),
                     startedAt: ReportContext.timestamp(started), captureDirectory: nil)
        }
    }

    /// Reports by lab index, filled from worker threads.
    private final class Results: Sendable {
        private let reports: Mutex<[LabReport?]>
        init(count: Int) { reports = Mutex(Array(repeating: nil, count: count)) }
        func set(_ index: Int, _ report: LabReport) { reports.withLock { $0[index] = report } }
        var all: [LabReport?] { reports.withLock { $0 } }

        /// Hands out 0, 1, 2, … to worker threads.
        final class Counter: Sendable {
            private let next = Atomic<Int>(0)
            func take(below limit: Int) -> Int? {
                let value = next.add(1, ordering: .relaxed).oldValue
                return value < limit ? value : nil
            }
        }
    }
}

/// Child `xdplab run` processes alive right now: SIGINT or SIGTERM to this process is passed on to them, and each
/// tears its own lab down before it exits. Once a signal came, no new child starts.
enum Children {
    private struct State {
        var pids: Set<Int32> = []
        var stopping = false
    }
    private static let state = Mutex(State())

    /// Starts `process` and counts it as running, unless a signal is stopping the run: then false, and nothing
    /// started. Starting under the lock means a signal either finds the child or keeps it from starting.
    static func start(_ process: Process) throws -> Bool {
        try state.withLock { state in
            guard !state.stopping else { return false }
            try process.run()
            state.pids.insert(process.processIdentifier)
            return true
        }
    }

    static func remove(_ pid: Int32) { _ = state.withLock { $0.pids.remove(pid) } }

    /// Stops new children, passes `signal` on and waits (at most 30 s) until every child has ended and its
    /// report is in.
    static func forward(_ signal: Int32) {
        let running = state.withLock { state in
            state.stopping = true
            return state.pids
        }
        running.forEach { kill($0, signal) }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !state.withLock({ $0.pids.isEmpty }) { usleep(50_000) }
    }
}
