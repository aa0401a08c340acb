import ArgumentParser
import Foundation
import Glibc
import Guests
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

    @Option(name: .customLong("kernel"),
            help: "Run every lab on this kernel too: host, or a cached guest kernel by series (6.1) or version. Repeatable.")
    var kernels: [String] = []

    @Option(help: "How guests get their CPU: auto (KVM when a short probe boots a guest, else TCG), kvm or tcg.")
    var accel: String = "auto"

    @Option(name: .customLong("guest-timeout"), help: "Seconds one guest boot may take with all its labs (default 180 + 300 per lab).")
    var guestTimeout: Double?

    func validate() throws {
        if !["auto", "kvm", "tcg"].contains(accel) {
            throw ValidationError("--accel must be auto, kvm or tcg, got \(accel)")
        }
        if let program, !FileManager.default.fileExists(atPath: program) {
            throw ValidationError("--program \(program): no such file")
        }
        if let program, !(program.hasSuffix(".c") || program.hasSuffix(".o")) {
            throw ValidationError("--program must be a .bpf.c source or a .o object, got \(program)")
        }
    }

    func run() throws {
        let (loaded, problems) = LabFiles.load(labs)
        if problems > 0 { throw Status.badInput }
        Interruption.install()
        let override = program.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let options = RunOptions(programOverride: override, capturesDirectory: captures)
        if !kernels.isEmpty { return try runMatrix(loaded, options: options, override: override) }
        let gate = RequirementGate()
        var outcomes: [LabOutcome] = []
        var reports: [LabReport] = []
        for lab in loaded {
            if let reason = gate.skipReason(lab) {
                reports.append(LabReport.skip(lab: lab.name, file: lab.path, reason: reason))
                continue
            }
            let outcome = LabRunner.run(lab, options: options)
            outcomes.append(outcome)
            reports.append(outcome.report)
        }
        print(TerminalReport.summary(reports, color: isatty(STDOUT_FILENO) != 0))
        if let json { try write(JSONReport.render(reports), to: json) }
        if let junit { try write(JUnitReport.render(reports), to: junit) }
        if outcomes.contains(where: { $0.missingCapability != nil }) { throw Status.missingCapability }
        try Self.finalStatus(reports)
    }

    /// 1 when a lab that ran failed, else 4 when one was skipped, else 0.
    static func finalStatus(_ reports: [LabReport]) throws {
        if reports.contains(where: { !$0.passed && $0.skipped == nil }) { throw Status.failed }
        if reports.contains(where: { $0.skipped != nil }) { throw Status.skipped }
    }

    private func runMatrix(_ loaded: [Lab], options: RunOptions, override: String?) throws {
        let cache = KernelCache.standard
        let targets: [KernelMatrix.Target]
        do {
            targets = try KernelMatrix.targets(kernels, cache: cache)
        } catch {
            FileHandle.standardError.write(Data("xdplab run: \(error)\n".utf8))
            throw Status.badInput
        }
        if targets.contains(where: { if case .guest = $0 { return true } else { return false } }) {
            let missing = GuestTools.find(cache: cache).missing
            if !missing.isEmpty {
                FileHandle.standardError.write(Data("xdplab run: \(GuestError.missingTools(missing))\n".utf8))
                throw Status.missingCapability
            }
        }
        Interruption.onInterrupt { BoundedCommand.endAll() }
        let matrix = KernelMatrix(labs: loaded, options: options, programOverride: override, accelerator: accel, timeout: guestTimeout)
        let outcome = try matrix.run(targets)
        let reports = outcome.reports
        print(TerminalReport.summary(reports, kernels: outcome.kernels, color: isatty(STDOUT_FILENO) != 0))
        if let json { try write(JSONReport.render(reports, kernels: outcome.kernels), to: json) }
        if let junit { try write(JUnitReport.render(reports), to: junit) }
        if outcome.missingCapability { throw Status.missingCapability }
        try Self.finalStatus(reports)
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
