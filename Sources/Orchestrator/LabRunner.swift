import Foundation
import LabModel
import Realization
import BPFSupport
import AFXDPStack
import Traffic
import Capture
import Verification
import Reports
import Evidence

public struct RunOptions: Sendable {
    /// Replaces the lab's XDP program (CI testing a fresh build of its own program against a fixed lab).
    public var programOverride: String?
    /// Runs write `<captures>/<lab>/<time>-<run>/`.
    public var capturesDirectory: String
    public var progress: @Sendable (String) -> Progress

    public init(programOverride: String? = nil, capturesDirectory: String = "Captures",
                progress: @escaping @Sendable (String) -> Progress = { Progress.terminal(lab: $0) }) {
        self.programOverride = programOverride
        self.capturesDirectory = capturesDirectory
        self.progress = progress
    }
}

/// How one lab ended: its report, and whether it could not run because the machine lacks something.
public struct LabOutcome: Sendable {
    public let report: LabReport
    public let missingCapability: CapabilityError?
}

/// Runs one lab from its checked model to a verdict: build, deploy, inject, observe, judge, tear down.
public enum LabRunner {
    public static func run(_ original: Lab, options: RunOptions) -> LabOutcome {
        let lab = options.programOverride.map { original.replacingProgram($0) } ?? original
        let progress = options.progress(lab.name)
        let started = Date()
        let execution = LabExecution(lab: lab, options: options, progress: progress)
        do {
            let report = try lab.traffic.sequence.map { try SequenceExecution(lab: lab, sequence: $0, options: options, progress: progress).execute() }
                ?? execution.execute()
            return LabOutcome(report: report, missingCapability: nil)
        } catch let error as CapabilityError {
            progress("cannot run: this machine lacks \(error.capability)")
            let report = LabReport.failure(lab: lab, error: "missing capability: \(error)", started: started,
                                           captureDirectory: execution.runDirectory)
            if let directory = report.captureDirectory { RunReports.write(report, to: directory, json: false, progress: progress) }
            return LabOutcome(report: report, missingCapability: error)
        } catch {
            progress("failed: \(error)")
            let report = LabReport.failure(lab: lab, error: "\(error)", started: started, captureDirectory: execution.runDirectory)
            // The page says why, and links what the run left (a command stack's output, the objects).
            if let directory = report.captureDirectory { RunReports.write(report, to: directory, json: false, progress: progress) }
            return LabOutcome(report: report, missingCapability: nil)
        }
    }
}

extension LabReport {
    static func failure(lab: Lab, error: String, started: Date, captureDirectory: String? = nil) -> LabReport {
        LabReport(lab: lab.name, file: lab.path, passed: false, checks: [], packets: PacketCounts(injected: 0, kernel: 0, xsk: 0, lost: 0),
                  classes: [], diagnosis: [], durationSeconds: Date().timeIntervalSince(started),
                  captureDirectory: captureDirectory, evidence: nil, sessions: [], error: error)
    }
}
