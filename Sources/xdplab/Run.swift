import ArgumentParser
import Foundation
import LabModel
import Orchestrator
import Realization
import Reports

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build each lab for real, run its traffic, and judge its checks.",
        discussion: """
            A folder stands for every *.yaml below it. --json - or --junit - writes that report to standard output; \
            the summary then goes to standard error, where progress always goes. On SIGINT or SIGTERM the reports of \
            the labs that finished, and of the interrupted lab as an error, are written before the tear-down; the \
            exit status is then 130 or 143.

            --keep leaves one lab up after its verdict (until `xdplab destroy RUN` or `xdplab clean --all`) and \
            says how to enter it.
            """)

    @Argument(help: "Lab files (YAML), or folders of them.", completion: .file(extensions: ["yaml"]))
    var labs: [String]

    @Option(help: "Use this XDP program (.bpf.c or .o) instead of the one each lab names.",
            completion: .file(extensions: ["bpf.c", "o"]))
    var program: String?

    @Option(name: .customLong("only"), help: ArgumentHelp("Run only the lab with this lab: name (repeatable).", valueName: "name"))
    var only: [String] = []

    @Option(help: "Write a JSON report here (- for standard output).", completion: .file(extensions: ["json"]))
    var json: String?

    @Option(help: "Write a JUnit XML report here (- for standard output).", completion: .file(extensions: ["xml"]))
    var junit: String?

    @Option(help: "Folder for pcaps and evidence; runs write <captures>/<lab>/<time>-<run>/.", completion: .directory)
    var captures: String = "Captures"

    @Flag(help: "Leave the lab's namespaces and stack up after the verdict, to inspect them (one lab only).")
    var keep = false

    @Option(help: "Labs run at once, each in a child xdplab run (default: 4 per core); sequence labs run alone.")
    var jobs: Int = 4 * ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var color: ColorOption
    @OptionGroup var progress: ProgressOptions

    private var destinations: ReportDestinations { ReportDestinations(json: json, junit: junit) }

    func validate() throws {
        if let program, !FileManager.default.fileExists(atPath: program) {
            throw ValidationError("--program \(program): no such file")
        }
        if let program, !(program.hasSuffix(".c") || program.hasSuffix(".o")) {
            throw ValidationError("--program must be a .bpf.c source or a .o object, got \(program)")
        }
        try destinations.validate()
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
    }

    func run() throws {
        let started = Date()
        let destinations = self.destinations
        let (loaded, problems) = LabFiles.load(try LabFiles.expand(labs))
        if !problems.isEmpty {
            try destinations.write([], labFileErrors: problems, context: ReportContext(startedAt: started))
            throw Status.badInput
        }
        let selected = try LabFiles.select(loaded, only: only)
        if keep && selected.count != 1 {
            throw ValidationError("--keep keeps one lab, and \(selected.count) are given; pick one with --only NAME")
        }
        if progress.verbose { Command.trace { FileHandle.standardError.write(Data("  \($0)\n".utf8)) } }

        let journal = RunJournal()
        let colored = color.enabled(for: destinations.summaryDescriptor)
        Interruption.install()
        Interruption.onInterrupt { signal in
            let reports = journal.reports(interruptedBy: signal)
            destinations.summary(TerminalReport.summary(reports, color: colored))
            try? destinations.write(reports, context: ReportContext(startedAt: started, interruptedBy: signal))
        }
        let quiet = progress.quiet
        let options = RunOptions(programOverride: program.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                                 capturesDirectory: captures,
                                 progress: { quiet ? .silent : .terminal(lab: $0) }, keep: keep, journal: journal)
        var outcomes: [LabOutcome] = []
        var reports: [LabReport]
        if jobs > 1, selected.count > 1, !keep {
            Interruption.onInterrupt { Children.forward($0) }
            reports = ParallelRun.run(selected, jobs: jobs, program: options.programOverride, captures: captures,
                                      quiet: quiet, journal: journal)
        } else {
            for lab in selected { outcomes.append(LabRunner.run(lab, options: options)) }
            reports = outcomes.map(\.report)
        }
        try Interruption.finishing { [reports] in
            destinations.summary(TerminalReport.summary(reports, color: colored))
            for kept in outcomes.compactMap(\.kept) { destinations.summary(kept.instructions.joined(separator: "\n") + "\n") }
            try destinations.write(reports, context: ReportContext(startedAt: started))
        }
        let kinds = Set(reports.compactMap(\.errorKind))
        if kinds.contains(.badInput) { throw Status.badInput }
        if kinds.contains(.missingCapability) { throw Status.missingCapability }
        if reports.contains(where: { !$0.passed }) { throw Status.failed }
    }
}
