import Foundation
import Synchronization
import Glibc
import LabModel
import Orchestrator
import Reports

/// `xdplab run --jobs N`: labs are isolated (own namespaces, own run id) and idle most of their life, so several run
/// at once, each in a child `xdplab run` of its own: a crash or a hang in one cannot take the others with it, and
/// each tears its own lab down. Timing-sensitive labs (sequence labs, load phases) run alone afterwards.
/// Reports come back as the children's JSON, in the order the labs were given; each child's progress is printed
/// as one block when it ends, so lines of different labs never interleave.
enum ParallelRun {
    /// Whether a lab must not share the machine: a sequence lab's verdict depends on pacing to the microsecond, a
    /// load phase's on having the cores to itself. (A recovery drill waits on seconds-long timers and shares well.)
    static func runsAlone(_ lab: Lab) -> Bool {
        lab.traffic.sequence != nil || lab.traffic.load != nil
    }

    static func run(_ labs: [Lab], jobs: Int, program: String?, captures: String, quiet: Bool,
                    journal: RunJournal) -> [LabReport] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-jobs-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let results = Results(count: labs.count)
        let shared = labs.indices.filter { !runsAlone(labs[$0]) }
        let alone = labs.indices.filter { runsAlone(labs[$0]) }
        let plan = "xdplab: \(labs.count) labs, \(min(jobs, max(shared.count, 1))) at a time"
            + (alone.isEmpty ? "" : ", then \(alone.count) timing-sensitive one(s) alone")
        FileHandle.standardError.write(Data((plan + "\n").utf8))
        let child = Child(program: program, captures: captures, quiet: quiet, work: work, journal: journal)
        runPool(shared, width: jobs, labs: labs, child: child, results: results)
        runPool(alone, width: 1, labs: labs, child: child, results: results)
        return results.all
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
                    let report = child.run(labs[index], index: index)
                    child.journal.finish(report)
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

        /// One child `xdplab run` for one lab, bounded by the lab's own length plus two minutes.
        func run(_ lab: Lab, index: Int) -> LabReport {
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
            let ended = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in ended.signal() }
            do {
                try process.run()
            } catch {
                return failure(lab, "could not start a child xdplab run: \(error)", started: started)
            }
            Children.add(process.processIdentifier)
            defer { Children.remove(process.processIdentifier) }
            let limit = lab.traffic.duration + (lab.traffic.sequence.map { _ in 600.0 } ?? 0)
                + (lab.traffic.load?.duration ?? 0) + 120
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
            do {
                guard let report = try JSONReport.decode(String(decoding: data, as: UTF8.self)).labs.first else {
                    return failure(lab, "the child xdplab run wrote a report without a lab", started: started)
                }
                return report
            } catch {
                return failure(lab, "the child's report \(json) could not be read: \(error)", started: started)
            }
        }

        private func failure(_ lab: Lab, _ error: String, started: Date) -> LabReport {
            .failure(lab: lab.name, file: lab.path, error: error, kind: .error, durationSeconds: Date().timeIntervalSince(started),
                     startedAt: ReportContext.timestamp(started), captureDirectory: nil)
        }
    }

    /// Reports by lab index, filled from worker threads.
    private final class Results: Sendable {
        private let reports: Mutex<[LabReport?]>
        init(count: Int) { reports = Mutex(Array(repeating: nil, count: count)) }
        func set(_ index: Int, _ report: LabReport) { reports.withLock { $0[index] = report } }
        var all: [LabReport] { reports.withLock { $0.compactMap { $0 } } }

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
/// tears its own lab down before it exits.
enum Children {
    private static let pids = Mutex<Set<Int32>>([])

    static func add(_ pid: Int32) { _ = pids.withLock { $0.insert(pid) } }
    static func remove(_ pid: Int32) { _ = pids.withLock { $0.remove(pid) } }

    /// Passes `signal` on and waits (at most 30 s) until every child has ended and been collected.
    static func forward(_ signal: Int32) {
        let running = pids.withLock { $0 }
        running.forEach { kill($0, signal) }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !pids.withLock({ $0.isEmpty }) { usleep(50_000) }
    }
}
