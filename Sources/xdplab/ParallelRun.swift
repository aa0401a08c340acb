import Foundation
import Glibc
import LabModel
import Orchestrator
import Reports

/// `xdplab run --jobs N`: labs are isolated (own namespaces, own run id) and idle most of their life, so several run
/// at once, each in a child `xdplab run` of its own: a crash or a hang in one cannot take the others with it, and
/// each tears its own lab down. Timing-sensitive labs (sequence labs) run alone afterwards.
/// Reports come back as the children's JSON, in the order the labs were given; each child's progress is printed
/// as one block when it ends, so lines of different labs never interleave.
enum ParallelRun {
    struct Outcome {
        let report: LabReport
        let missingCapability: Bool
    }

    /// Whether a lab must not share the machine: a sequence lab's verdict depends on pacing to the microsecond.
    /// (A recovery drill waits on seconds-long timers and shares well.)
    static func runsAlone(_ lab: Lab) -> Bool {
        lab.traffic.sequence != nil
    }

    static func run(_ labs: [Lab], jobs: Int, program: String?, captures: String) -> [Outcome] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-jobs-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let results = Results(count: labs.count)
        let shared = labs.indices.filter { !runsAlone(labs[$0]) }
        let alone = labs.indices.filter { runsAlone(labs[$0]) }
        let plan = "xdplab: \(labs.count) labs, \(min(jobs, max(shared.count, 1))) at a time"
            + (alone.isEmpty ? "" : ", then \(alone.count) timing-sensitive one(s) alone")
        FileHandle.standardError.write(Data((plan + "\n").utf8))
        runPool(shared, width: jobs, labs: labs, program: program, captures: captures, work: work, results: results)
        runPool(alone, width: 1, labs: labs, program: program, captures: captures, work: work, results: results)
        return results.all
    }

    /// Runs `indices` with at most `width` children at once.
    private static func runPool(_ indices: [Int], width: Int, labs: [Lab], program: String?, captures: String, work: String,
                                results: Results) {
        let next = Results.Counter()
        let group = DispatchGroup()
        for _ in 0..<max(1, min(width, indices.count)) {
            group.enter()
            let thread = Thread {
                while let position = next.take(below: indices.count) {
                    let index = indices[position]
                    results.set(index, runChild(labs[index], index: index, program: program, captures: captures, work: work))
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
    }

    /// One child `xdplab run` for one lab, bounded by the lab's own length plus two minutes.
    private static func runChild(_ lab: Lab, index: Int, program: String?, captures: String, work: String) -> Outcome {
        let json = "\(work)/\(index).json", log = "\(work)/\(index).log"
        let started = Date()
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["run", lab.path, "--json", json, "--captures", captures] + (program.map { ["--program", $0] } ?? [])
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: log)
        do {
            try process.run()
        } catch {
            return failure(lab, "could not start a child xdplab run: \(error)", started: started)
        }
        Children.add(process.processIdentifier)
        defer { Children.remove(process.processIdentifier) }
        let limit = lab.traffic.duration + (lab.traffic.sequence.map { _ in 600.0 } ?? 0) + 120
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        if ended.wait(timeout: .now() + limit) == .timedOut {
            kill(process.processIdentifier, SIGTERM)
            if ended.wait(timeout: .now() + 10) == .timedOut { kill(process.processIdentifier, SIGKILL); ended.wait() }
            return failure(lab, "did not finish within \(Int(limit))s; stopped", started: started)
        }
        if let text = try? String(contentsOfFile: log, encoding: .utf8), !text.isEmpty {
            FileHandle.standardError.write(Data(text.utf8))
        }
        guard let data = FileManager.default.contents(atPath: json) else {
            return failure(lab, "the child xdplab run exited \(process.terminationStatus) without a report", started: started)
        }
        let report: LabReport
        do {
            guard let first = try JSONReport.parse(data).first else {
                return failure(lab, "the child xdplab run wrote an empty report", started: started)
            }
            report = first
        } catch {
            return failure(lab, "the child's report \(json) could not be read: \(error)", started: started)
        }
        return Outcome(report: report, missingCapability: process.terminationStatus == 3)
    }

    private static func failure(_ lab: Lab, _ error: String, started: Date) -> Outcome {
        Outcome(report: LabReport(lab: lab.name, file: lab.path, passed: false, checks: [],
                                  packets: PacketCounts(injected: 0, kernel: 0, xsk: 0, lost: 0), classes: [], diagnosis: [],
                                  durationSeconds: Date().timeIntervalSince(started), captureDirectory: nil, evidence: nil,
                                  sessions: [], error: error),
                missingCapability: false)
    }

    /// Outcomes by lab index, filled from worker threads.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var outcomes: [Outcome?]
        init(count: Int) { outcomes = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ outcome: Outcome) { lock.withLock { outcomes[index] = outcome } }
        var all: [Outcome] { lock.withLock { outcomes.compactMap { $0 } } }

        /// Hands out 0, 1, 2, … to worker threads.
        final class Counter: @unchecked Sendable {
            private let lock = NSLock()
            private var value = 0
            func take(below limit: Int) -> Int? {
                lock.withLock {
                    guard value < limit else { return nil }
                    defer { value += 1 }
                    return value
                }
            }
        }
    }
}

/// Child `xdplab run` processes alive right now: SIGINT or SIGTERM to this process is passed on to them, and each
/// tears its own lab down before it exits.
enum Children {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pids: Set<Int32> = []
    nonisolated(unsafe) private static var interruptedBy: Int32?

    static func add(_ pid: Int32) { _ = lock.withLock { pids.insert(pid) } }
    static func remove(_ pid: Int32) { _ = lock.withLock { pids.remove(pid) } }

    /// Passes `signal` on and waits (at most 30 s) until every child has ended and been collected.
    static func forward(_ signal: Int32) {
        let running = lock.withLock { () -> Set<Int32> in
            interruptedBy = signal
            return pids
        }
        running.forEach { kill($0, signal) }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !lock.withLock({ pids.isEmpty }) { usleep(50_000) }
    }

    /// After an interruption the run ends as the signal says (130, 143), whichever thread gets there first.
    static func exitIfInterrupted() {
        if let signal = lock.withLock({ interruptedBy }) { exit(128 + signal) }
    }
}
