import ArgumentParser
import Foundation
import Glibc
import LabModel
import Orchestrator
import Reports

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build each lab for real, run its traffic, and judge its checks.")

    @Argument(help: "Lab files (YAML).")
    var labs: [String]

    @Option(help: "Use this XDP program (.bpf.c or .o) instead of the one each lab names.")
    var program: String?

    @Option(help: "Write a JSON report here.")
    var json: String?

    @Option(help: "Write a JUnit XML report here.")
    var junit: String?

    @Option(help: "Folder for pcaps and evidence; runs write <captures>/<lab>/<time>-<run>/.")
    var captures: String = "Captures"

    @Option(help: "Labs run at once, each in a child xdplab run (default: 4 per core); sequence labs run alone.")
    var jobs: Int = 4 * ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if let program, !FileManager.default.fileExists(atPath: program) {
            throw ValidationError("--program \(program): no such file")
        }
        if let program, !(program.hasSuffix(".c") || program.hasSuffix(".o")) {
            throw ValidationError("--program must be a .bpf.c source or a .o object, got \(program)")
        }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
    }

    func run() throws {
        let (loaded, problems) = LabFiles.load(labs)
        if problems > 0 { throw Status.badInput }
        Interruption.install()
        let override = program.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let options = RunOptions(programOverride: override, capturesDirectory: captures)
        let (reports, missingCapability) = runAll(loaded, options: options, program: override)
        print(TerminalReport.summary(reports, color: isatty(STDOUT_FILENO) != 0))
        if let json { try write(JSONReport.render(reports), to: json) }
        if let junit { try write(JUnitReport.render(reports), to: junit) }
        if missingCapability { throw Status.missingCapability }
        if reports.contains(where: { !$0.passed }) { throw Status.failed }
    }

    /// In this process one after another, or in child processes `jobs` at a time.
    private func runAll(_ labs: [Lab], options: RunOptions, program: String?) -> (reports: [LabReport], missingCapability: Bool) {
        guard jobs > 1, labs.count > 1 else {
            let outcomes = labs.map { LabRunner.run($0, options: options) }
            return (outcomes.map(\.report), outcomes.contains { $0.missingCapability != nil })
        }
        Interruption.onInterrupt { Children.forward($0) }
        let outcomes = ParallelRun.run(labs, jobs: jobs, program: program, captures: captures)
        Children.exitIfInterrupted()
        return (outcomes.map(\.report), outcomes.contains(where: \.missingCapability))
    }

    private func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("xdplab: cannot write \(path): \(error.localizedDescription)\n".utf8))
            throw Status.badInput
        }
    }
}
