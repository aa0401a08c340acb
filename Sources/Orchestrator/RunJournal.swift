import Foundation
import Synchronization
import LabModel
import Reports

/// What a run of several labs has done so far: the reports of the labs that finished, and the lab under way with
/// its evidence folder. An interruption turns it into reports; it is read from the signal handler's thread.
public final class RunJournal: Sendable {
    private struct State {
        var finished: [LabReport] = []
        var current: (lab: Lab, started: Date, directory: String?)?
    }
    private let state = Mutex(State())

    public init() {}

    func begin(_ lab: Lab, started: Date) { state.withLock { $0.current = (lab, started, nil) } }

    func evidenceFolder(_ directory: String) { state.withLock { $0.current?.directory = directory } }

    public func finish(_ report: LabReport) {
        state.withLock {
            $0.finished.append(report)
            $0.current = nil
        }
    }

    /// The reports of the labs that finished, in order.
    public var reports: [LabReport] { state.withLock { $0.finished } }

    /// The labs that finished, then the one under way as an error: "interrupted by SIGTERM".
    public func reports(interruptedBy signal: String) -> [LabReport] {
        state.withLock { state in
            guard let current = state.current else { return state.finished }
            return state.finished + [.failure(lab: current.lab.name, file: current.lab.path, error: "interrupted by \(signal)",
                                        kind: .interrupted, durationSeconds: Date().timeIntervalSince(current.started),
                                        startedAt: ReportContext.timestamp(current.started),
                                        captureDirectory: current.directory)]
        }
    }
}
