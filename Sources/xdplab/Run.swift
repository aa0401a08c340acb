import ArgumentParser
import Foundation
import LabModel
import Orchestrator
import Guests
import SystemSupport
import Reports

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build each lab for real, run its traffic, and judge its checks.",
        discussion: """
            A folder stands for every *.yaml below it. --json - or --junit - writes that report to standard output; \
            the summary then goes to standard error, where progress always goes. On SIGINT or SIGTERM no new lab starts; the \
            reports of the labs that finished, of those interrupted and of those never started (both as errors) are \
            written before the tear-down; the exit status is then 130 or 143.

            --keep leaves one lab up after its verdict (until `xdplab destroy RUN` or `xdplab clean --all`) and \
            says how to enter it.
            """)

    @Argument(help: "Lab files (YAML), or folders of them.", completion: .file(extensions: ["yaml"]))
    var labs: [String] = []

    @Option(help: ArgumentHelp("Run the labs on the kernels a matrix file names, row by row, instead of LAB arguments.",
                               valueName: "file"),
            completion: .file(extensions: ["yaml"]))
    var matrix: String?

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

    // Unconditional: `--jobs -1` is a bad count, not a missing one.
    @Option(parsing: .unconditional,
            help: ArgumentHelp("Labs run at once, each in a child xdplab run; 1 runs them one by one in this process. "
                               + "Default: 4 per core.", valueName: "n"))
    var jobs: Int?

    @Option(name: .customLong("kernel"),
            help: "Run every lab on this kernel too: host, or a cached guest kernel by series (6.1) or version. Repeatable.")
    var kernels: [String] = []

    @Option(help: "How guests get their CPU: auto (KVM when a short probe boots a guest, else TCG), kvm or tcg.")
    var accel: String = "auto"

    @Option(name: .customLong("guest-timeout"), help: "Seconds one guest boot may take with all its labs (default 180 + 300 per lab).")
    var guestTimeout: Double?

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
        if labs.isEmpty && matrix == nil { throw ValidationError("name lab files or folders, or a matrix file with --matrix FILE") }
        if matrix != nil && !(labs.isEmpty && kernels.isEmpty) {
            throw ValidationError("--matrix names the labs and their kernels itself; drop the LAB arguments and --kernel")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        for kernel in kernels where !KernelName.isValid(kernel) {
            throw ValidationError("--kernel \(kernel): \(KernelName.expected) (see xdplab kernels list)")
        }
    }

    func run() throws {
        let started = Date()
        let destinations = self.destinations
        let matrixRows = try matrix.map { try MatrixRows.load($0, destinations: destinations, started: started) }
        let (loaded, problems) = LabFiles.load(try LabFiles.expand(matrixRows?.paths ?? labs))
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
        let host = HostRun(jobs: jobs ?? ParallelRun.defaultJobs, quiet: quiet, options: options)
        if let matrixRows {
            return try runMatrix(matrixRows.plan(selected), options: options, host: host, destinations: destinations,
                                 colored: colored, started: started)
        }
        if !kernels.isEmpty {
            let plan = kernels.map { (kernel: $0, labs: selected) }
            return try runMatrix(plan, options: options, host: host, destinations: destinations, colored: colored,
                                 started: started)
        }
        if selected.contains(where: { !$0.kernels.isEmpty }) {
            return try runMatrix(KernelMatrix.declaredPlan(selected), options: options, host: host,
                                 destinations: destinations, colored: colored, started: started)
        }
        let (reports, outcomes) = host.run(selected)
        try Interruption.finishing { [reports] in
            destinations.summary(TerminalReport.summary(reports, color: colored))
            for kept in outcomes.compactMap(\.kept) { destinations.summary(kept.instructions.joined(separator: "\n") + "\n") }
            try destinations.write(reports, context: ReportContext(startedAt: started))
        }
        try Self.finalStatus(reports)
    }

    /// 2 when a lab's input was bad, else 3 when the machine lacked a capability, else 1 when a lab that ran
    /// failed, else 4 when one was skipped, else 0.
    static func finalStatus(_ reports: [LabReport], missingCapability: Bool = false) throws {
        let kinds = Set(reports.compactMap(\.errorKind))
        if kinds.contains(.badInput) { throw Status.badInput }
        if missingCapability || kinds.contains(.missingCapability) { throw Status.missingCapability }
        if reports.contains(where: { !$0.passed && $0.skipped == nil }) { throw Status.failed }
        if reports.contains(where: { $0.skipped != nil }) { throw Status.skipped }
    }

    /// Labs on kernels (every lab on every `--kernel`, or each lab on its `kernels:`): the host's as a plain run,
    /// each guest's in one boot of its own.
    private func runMatrix(_ plan: [(kernel: String, labs: [Lab])], options: RunOptions, host: HostRun,
                           destinations: ReportDestinations, colored: Bool, started: Date) throws {
        if keep {
            throw ValidationError("--keep keeps one lab up on this machine, which a kernel matrix cannot: drop --kernel "
                                  + "and --matrix, and keep a lab without a kernels: list")
        }
        let cache = KernelCache.standard
        let targets: [KernelMatrix.Target]
        do {
            targets = try KernelMatrix.targets(plan.map(\.kernel), cache: cache)
        } catch {
            throw ValidationError("\(error)")
        }
        if targets.contains(where: { if case .guest = $0 { return true } else { return false } }) {
            let missing = GuestTools.find(cache: cache).missing
            if !missing.isEmpty {
                FileHandle.standardError.write(Data("xdplab run: \(GuestError.missingTools(missing))\n".utf8))
                throw Status.missingCapability
            }
        }
        Interruption.onSignal { _ in BoundedCommand.endAll() }
        // Kernels that run the same labs share one matrix, and with it one choice of accelerator.
        var outcome = KernelMatrix.Outcome()
        var index = 0
        while index < plan.count {
            let labs = plan[index].labs
            var end = index + 1
            while end < plan.count, plan[end].labs == labs { end += 1 }
            let matrix = KernelMatrix(labs: labs, options: options, host: host, programOverride: options.programOverride,
                                      accelerator: accel, timeout: guestTimeout)
            outcome.add(try matrix.run(Array(targets[index..<end])))
            index = end
        }
        let reports = outcome.reports
        try Interruption.finishing {
            destinations.summary(TerminalReport.summary(reports, kernels: outcome.kernels, color: colored))
            try destinations.write(reports, context: ReportContext(startedAt: started), kernels: outcome.kernels)
        }
        try Self.finalStatus(reports, missingCapability: outcome.missingCapability)
    }
}
