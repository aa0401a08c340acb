import Foundation
import Glibc
import SystemSupport
import BPFSupport
import XSKSockets

/// `xdplab check`: an XDP program's verdict on every corpus case and sweep value, on every RX queue, with
/// the XSKMAP slot empty and with a real AF_XDP socket registered, judged by `CheckRules`; plus the
/// `bpf_redirect_map` lint. No traffic, no attachment: everything goes through BPF_PROG_TEST_RUN.
public enum ProgramCheck {
    /// The lab runner's pre-flight step: checks `objectPath` (a `.bpf.c` or `.o`) with the lab's ports on
    /// `queues` RX queues. Throws `CheckFailure` when no matrix could be made at all. Sweep values are spread over
    /// the queues: a gate in front of every lab run takes a quarter of the full product's time (`xdplab check`
    /// runs the full product).
    public static func run(objectPath: String, ports: [UInt16], queues: Int) throws -> CheckSummary {
        let options = CheckOptions(ports: ports, queues: queues, sweepQueues: .spread)
        let report = try check(program: objectPath, options: options)
        return CheckSummary(passed: report.passed, text: report.shortText, report: report)
    }

    public static func check(program: String, options: CheckOptions) throws -> CheckReport {
        let started = now()
        var timing = CheckTiming()
        let ports = try validatedPorts(options)
        guard FileManager.default.fileExists(atPath: program) else {
            throw CheckFailure(.badInput, "\(program): no such file")
        }
        guard program.hasSuffix(".c") || program.hasSuffix(".o") else {
            throw CheckFailure(.badInput, "the program must be a .bpf.c source or a .o object, got \(program)")
        }
        let name = URL(fileURLWithPath: program).lastPathComponent

        let temporary = options.workDirectory == nil
        let workDirectory = options.workDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("xdplab-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { if temporary { try? FileManager.default.removeItem(atPath: workDirectory) } }

        let preparation = prepare(ports: ports, options: options, label: "check \(name)")
        var mark = now()
        let loaded: ProgramUnderTest
        do {
            loaded = try ProgramUnderTest(path: program, ports: ports, queues: options.queues, workDirectory: workDirectory)
        } catch {
            (try? preparation.wait())?.environment.teardown()
            throw error
        }
        let lint = RedirectLint.calls(in: loaded.instructions, mapNames: loaded.mapNames)
        timing.compileAndLoad = now() - mark

        let prepared = try preparation.wait()
        let (environment, cases, batch) = (prepared.environment, prepared.cases, prepared.batch)
        defer { environment.teardown() }
        timing.environment = prepared.environmentSeconds
        timing.corpus = prepared.corpusSeconds

        mark = now()
        let sockets = environment.sockets.isEmpty ? nil : environment.sockets.map(\.fd)
        let matrix: VerdictMatrix
        do {
            matrix = try environment.perform {
                try MatrixRunner.run(batch, programFD: loaded.program.fd, xsksMapFD: loaded.xsksMap.fd,
                                     ifindex: environment.ifindex, queues: environment.queues, sockets: sockets,
                                     threads: options.threads)
            }
        } catch {
            throw CheckFailure.wrapping(error, while: "test-run \(name)")
        }
        timing.testRuns = now() - mark

        mark = now()
        let judged = Judge.judge(matrix, expectations: batch.expectations,
                                 classes: batch.segments.map { ($0.caseClass, $0.range) })
        let violations = CheckViolation.grouped(judged.violations, batch: batch)
        timing.judging = now() - mark

        environment.teardown()
        timing.total = now() - started
        return CheckReport(program: program, objectPath: loaded.objectPath, ports: ports, queuesRequested: options.queues,
                           queuesRun: environment.queues, states: matrix.states, notes: environment.notes,
                           corpusCases: cases.count, notRun: cases.filter { !$0.isRunnable }.map(\.name),
                           frames: batch.count, spreadFrames: batch.count - batch.everyQueueCount, runs: matrix.runs, tallies: judged.tallies, violations: violations,
                           lint: lint, timing: timing)
    }

    /// What the matrix needs besides the program: where it runs, and the frames.
    struct Prepared {
        let environment: CheckEnvironment
        let cases: [CheckCase]
        let batch: FrameBatch
        let environmentSeconds: Double
        let corpusSeconds: Double
    }

    /// Makes the namespace and the corpus on a thread of their own while the caller compiles and loads the
    /// program: clang and ip are processes of their own, so the three overlap instead of adding up.
    static func prepare(ports: [UInt16], options: CheckOptions, label: String) -> BackgroundWork<Prepared> {
        BackgroundWork(name: "xdplab check preparation") {
            var mark = now()
            let environment = CheckEnvironment.make(queues: options.queues, isolation: options.isolation, label: label)
            let environmentSeconds = now() - mark
            mark = now()
            do {
                let (cases, batch) = try makeBatch(ports: ports, options: options)
                return Prepared(environment: environment, cases: cases, batch: batch, environmentSeconds: environmentSeconds,
                                corpusSeconds: now() - mark)
            } catch {
                environment.teardown()
                throw error
            }
        }
    }

    static func validatedPorts(_ options: CheckOptions) throws -> [UInt16] {
        let ports = Array(Set(options.ports)).sorted()
        guard !ports.isEmpty else { throw CheckFailure(.badInput, "the port list is empty; give at least one validator port") }
        guard (1...CheckOptions.maximumQueues).contains(options.queues) else {
            throw CheckFailure(.badInput, "queues must be between 1 and \(CheckOptions.maximumQueues), got \(options.queues)")
        }
        return ports
    }

    /// The corpus and the sweeps, packed for the C loop (and written out when asked).
    static func makeBatch(ports: [UInt16], options: CheckOptions) throws -> (cases: [CheckCase], batch: FrameBatch) {
        let cases = Corpus.cases(ports: ports)
        let batch = FrameBatch(cases: cases, sweeps: Sweep.Kind.allCases.map { Sweep($0, ports: ports) }, ports: Set(ports),
                               sweepQueues: options.sweepQueues)
        if let framesFile = options.framesFile { try FrameFile.write(batch, to: framesFile) }
        return (cases, batch)
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
