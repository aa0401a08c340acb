import Foundation
import LabModel
import Realization
import Reports

/// How both kinds of lab run end: the report timed from the run's start and written beside its evidence, then the
/// lab's namespaces kept (`--keep`) or torn down.
struct RunEnding {
    let lab: Lab
    let started: Date
    let runDirectory: String
    let progress: Progress

    /// Seconds since the run started, for the report.
    var durationSeconds: Double { Date().timeIntervalSince(started) }
    /// When the run started, as reports write it.
    var startedAt: String { ReportContext.timestamp(started) }

    /// Writes `report.json` and `report.html` beside the run's evidence; returns the report.
    func finish(_ report: LabReport) -> LabReport {
        RunReports.write(report, to: runDirectory, progress: progress)
        return report
    }

    /// Leaves the lab up for `--keep` (and says how to reach it) or tears it down; what was kept, if anything.
    static func release(_ realized: RealizedLab, lab: Lab, keep: Bool, pcap: String?, commandPID: Int32?,
                        progress: Progress) -> KeptLab? {
        guard keep else {
            RunSetup.tearDown(realized, progress: progress)
            return nil
        }
        return RunSetup.keep(realized, lab: lab, pcap: pcap, commandPID: commandPID, progress: progress)
    }
}

/// Evidence that stopped short during a run (a capture that died, a receiver that failed), recorded one way by
/// both kinds of lab: a phrase each. A packet-class lab's report carries them in its kernel evidence, which the
/// diagnosis sums up; a sequence lab's report says each as a sentence of its diagnosis.
struct EvidenceGaps {
    private(set) var phrases: [String] = []

    /// `phrase` starts in lower case and has no full stop: "the capture stopped early (…): …".
    mutating func record(_ phrase: String) {
        phrases.append(phrase)
    }

    /// One sentence per gap: "The capture stopped early (…): …."
    var sentences: [String] {
        phrases.map { $0.prefix(1).uppercased() + $0.dropFirst() + "." }
    }
}
