import Foundation

/// Where a run reports what it is doing. The command line prints it; tests collect it.
public struct Progress: Sendable {
    public let report: @Sendable (String) -> Void

    public init(_ report: @escaping @Sendable (String) -> Void) { self.report = report }

    public static let silent = Progress { _ in }

    /// Lines to standard error, prefixed with the lab name and the seconds since the run began.
    public static func terminal(lab: String) -> Progress {
        let start = Date()
        return Progress { line in
            let elapsed = String(format: "%5.1fs", Date().timeIntervalSince(start))
            FileHandle.standardError.write(Data("[\(lab) \(elapsed)] \(line)\n".utf8))
        }
    }

    func callAsFunction(_ line: String) { report(line) }
}
