import Foundation
import LabModel
import Reports

/// What a run of several labs has done so far: the reports of the labs that finished, and the lab under way with
/// its evidence folder. An interruption turns it into reports; it is read from the signal handler's thread.
public final class RunJournal: @unchecked Sendable {
    private let lock = NSLock()
    private var finished: [LabReport] = []
    private var current: (lab: Lab, started: Date, directory: String?)?

    public init() {}

    func begin(_ lab: Lab, started: Date) { lock.withLock { current = (lab, started, nil) } }

    func evidenceFolder(_ directory: String) { lock.withLock { current?.directory = directory } }

    public func finish(_ report: LabReport) {
        lock.withLock {
            finished.append(report)
            current = nil
        }
    }

    /// The reports of the labs that finished, in order.
    public var reports: [LabReport] { lock.withLock { finished } }

    /// The labs that finished, then the one under way as an error: "interrupted by SIGTERM".
    public func reports(interruptedBy signal: String) -> [LabReport] {
        lock.withLock {
            guard let current else { return finished }
            return finished + [.failure(lab: current.lab.name, file: current.lab.path, error: "interrupted by \(signal)",
                                        kind: .interrupted, durationSeconds: Date().timeIntervalSince(current.started),
                                        startedAt: ReportContext.timestamp(current.started),
                                        captureDirectory: current.directory)]
        }
    }
}
