import Foundation
import LabModel
import SystemSupport
import BPFSupport
import AFXDPStack
import Traffic
import Capture
import Verification
import Reports
import Evidence
import ProgramCheck

public struct RunOptions: Sendable {
    /// Replaces the lab's XDP program (CI testing a fresh build of its own program against a fixed lab).
    public var programOverride: String?
    /// Runs write `<captures>/<lab>/<time>-<run>/`.
    public var capturesDirectory: String
    public var progress: @Sendable (String) -> Progress
    /// Leave the lab's namespaces and stack up after the verdict (`xdplab run --keep`).
    public var keep: Bool
    /// Where the run records what finished, for the reports an interruption writes.
    public var journal: RunJournal?

    public init(programOverride: String? = nil, capturesDirectory: String = "Captures",
                progress: @escaping @Sendable (String) -> Progress = { Progress.terminal(lab: $0) },
                keep: Bool = false, journal: RunJournal? = nil) {
        self.programOverride = programOverride
        self.capturesDirectory = capturesDirectory
        self.progress = progress
        self.keep = keep
        self.journal = journal
    }
}

/// How one lab ended: its report, whether it could not run because the machine lacks something, and what was
/// kept up (`keep`).
public struct LabOutcome: Sendable {
    public let report: LabReport
    public let kept: KeptLab?
}

/// Runs one lab from its checked model to a verdict: build, deploy, inject, observe, judge, tear down.
public enum LabRunner {
    public static func run(_ original: Lab, options: RunOptions) -> LabOutcome {
        let lab = options.programOverride.map { original.replacingProgram($0) } ?? original
        let progress = options.progress(lab.name)
        let started = Date()
        options.journal?.begin(lab, started: started)
        SharedMachine.enter(.busy, progress: progress)
        defer { MachineShare.current.enter(.quiet) }
        let execution = LabExecution(lab: lab, options: options, progress: progress)
        let sequenceExecution = lab.traffic.sequence.map {
            SequenceExecution(lab: lab, sequence: $0, options: options, progress: progress)
        }
        let outcome: LabOutcome
        do {
            let report = try sequenceExecution?.execute() ?? execution.execute()
            outcome = LabOutcome(report: report, kept: sequenceExecution?.kept ?? execution.kept)
        } catch {
            let kind = kind(of: error)
            let capability = error as? CapabilityError
            progress(capability.map { "cannot run: this machine lacks \($0.capability)" } ?? "failed: \(error)")
            let text = capability.map { "missing capability: \($0)" } ?? "\(error)"
            let report = LabReport.failure(lab: lab.name, file: lab.path, error: text, kind: kind,
                                           durationSeconds: Date().timeIntervalSince(started),
                                           startedAt: ReportContext.timestamp(started),
                                           captureDirectory: sequenceExecution?.runDirectory ?? execution.runDirectory)
            // The page says why, and links what the run left (a command stack's output, the objects).
            if let directory = report.captureDirectory { RunReports.write(report, to: directory, json: false, progress: progress) }
            outcome = LabOutcome(report: report, kept: sequenceExecution?.kept ?? execution.kept)
        }
        options.journal?.finish(outcome.report)
        return outcome
    }

    /// Sorts what stopped a lab, so the exit status says whose fault it was: the input's (a program that does not
    /// compile, breaks the contract or is refused by the verifier: as `xdplab check` says), the machine's, or the
    /// program's behaviour in the pre-flight check.
    static func kind(of error: Error) -> LabErrorKind {
        switch error {
        case is CapabilityError, is MissingToolError: return .missingCapability
        case is StackError, is BPFCompiler.Failure: return .badInput
        case let failure as CheckFailure: return failure.kind == .badInput ? .badInput : .missingCapability
        case is PreflightRefusal: return .preflightFailed
        default: return .error
        }
    }
}
