import Foundation
import Synchronization
import LabModel
import Reports

/// What a run of several labs has done so far: the reports of the labs that finished, the lab under way with its
/// evidence folder, and the labs not started yet. An interruption turns it into reports; it is read from the
/// signal handler's thread.
public final class RunJournal: Sendable {
    private struct State {
        var finished: [LabReport] = []
        var current: (lab: Lab, started: Date, directory: String?)?
        var waiting: [Lab] = []
        /// Labs under way in child runs (`xdplab run --jobs`), each of which reports for itself.
        var inChildren: [(lab: Lab, started: Date)] = []

        mutating func started(_ file: String) {
            if let index = waiting.firstIndex(where: { $0.path == file }) { waiting.remove(at: index) }
        }
    }
    private let state = Mutex(State())

    public init() {}

    /// The labs this run is going to run, so that an interruption can name those it never started.
    public func plan(_ labs: [Lab]) { state.withLock { $0.waiting += labs } }

    func begin(_ lab: Lab, started: Date) {
        state.withLock {
            $0.current = (lab, started, nil)
            $0.started(lab.path)
        }
    }

    /// A lab now under way in a child run.
    public func startedInChild(_ lab: Lab) {
        state.withLock {
            $0.inChildren.append((lab, Date()))
            $0.started(lab.path)
        }
    }

    func evidenceFolder(_ directory: String) { state.withLock { $0.current?.directory = directory } }

    public func finish(_ report: LabReport) {
        state.withLock {
            $0.finished.append(report)
            $0.current = nil
            $0.started(report.file)
            if let index = $0.inChildren.firstIndex(where: { $0.lab.path == report.file }) { $0.inChildren.remove(at: index) }
        }
    }

    /// The labs that finished, then the one under way as an error ("interrupted by SIGTERM"), then those never
    /// started ("not started: the run was interrupted by SIGTERM").
    public func reports(interruptedBy signal: String) -> [LabReport] {
        state.withLock { state in
            let underWay = state.current.map { current in
                LabReport.failure(lab: current.lab.name, file: current.lab.path, error: "interrupted by \(signal)",
                                  kind: .interrupted, durationSeconds: Date().timeIntervalSince(current.started),
                                  startedAt: ReportContext.timestamp(current.started), captureDirectory: current.directory)
            }
            // A child whose report never came (it had not ended when the wait for it ran out).
            let unreported = state.inChildren.map { lab, started in
                LabReport.failure(lab: lab.name, file: lab.path,
                                  error: "interrupted by \(signal); its child run had not ended when this one did (xdplab clean removes what it left)",
                                  kind: .interrupted, durationSeconds: Date().timeIntervalSince(started),
                                  startedAt: ReportContext.timestamp(started), captureDirectory: nil)
            }
            let notStarted = state.waiting.map { lab in
                LabReport.failure(lab: lab.name, file: lab.path, error: "not started: the run was interrupted by \(signal)",
                                  kind: .interrupted, durationSeconds: 0, startedAt: nil, captureDirectory: nil)
            }
            return state.finished + (underWay.map { [$0] } ?? []) + unreported + notStarted
        }
    }
}
