import Foundation
import LabModel
import Orchestrator
import Reports

/// Labs on this machine's own kernel, for `xdplab run` and for a matrix's host rows: labs whose `requires:` the
/// machine cannot meet are skipped visibly, the others run at once (`ParallelRun`) or, with `--jobs 1` or
/// `--keep`, one by one in this process. Reports come back in the order the labs were given.
struct HostRun {
    let jobs: Int
    let quiet: Bool
    let options: RunOptions

    /// The reports, and the outcomes of labs run in this process (a kept lab's instructions are among them).
    func run(_ labs: [Lab]) -> (reports: [LabReport], outcomes: [LabOutcome]) {
        let gate = RequirementGate()
        var skipped: [Int: LabReport] = [:]
        for (index, lab) in labs.enumerated() {
            if let reason = gate.skipReason(lab) { skipped[index] = .skip(lab: lab.name, file: lab.path, reason: reason) }
        }
        let runnable = labs.indices.filter { skipped[$0] == nil }.map { labs[$0] }
        for (_, report) in skipped.sorted(by: { $0.key < $1.key }) { options.journal?.finish(report) }
        options.journal?.plan(runnable)
        var outcomes: [LabOutcome] = []
        var ran: [LabReport]
        if jobs > 1, runnable.count > 1, !options.keep, let journal = options.journal {
            let board = JobBoard.forStandardError(quiet: quiet)
            Interruption.onSignal {
                board.stop()
                Children.forward($0)
            }
            board.start()
            ran = ParallelRun.run(runnable, jobs: jobs, program: options.programOverride, captures: options.capturesDirectory,
                                  quiet: quiet, board: board, journal: journal)
            board.stop()
        } else {
            for lab in runnable {
                Interruption.parkIfInterrupted()
                outcomes.append(LabRunner.run(lab, options: options))
            }
            ran = outcomes.map(\.report)
        }
        ran.reverse()
        return (labs.indices.map { skipped[$0] ?? ran.removeLast() }, outcomes)
    }
}
