import LabModel

/// A lab file that could not be read or resolved, as every report form carries it: its first problems, each at
/// its line and column, and how many more there were.
public struct LabFileProblems: Sendable, Codable, Equatable {
    public struct Problem: Sendable, Codable, Equatable {
        public let line: Int
        public let column: Int
        public let message: String

        public init(line: Int, column: Int, message: String) {
            self.line = line
            self.column = column
            self.message = message
        }
    }

    /// The most problems shown for one file; a generated file can have millions, and the first ones say enough.
    public static let shownLimit = 50

    public let file: String
    /// In file order, at most `shownLimit`.
    public let problems: [Problem]
    /// Problems found beyond those shown.
    public let more: Int

    public init(file: String, problems: [Problem], more: Int = 0) {
        self.file = file
        self.problems = problems
        self.more = more
    }

    public init(file: String, diagnostics: [Diagnostic], limit: Int = shownLimit) {
        self.file = file
        problems = diagnostics.prefix(limit).map {
            Problem(line: $0.location.line, column: $0.location.column, message: $0.message)
        }
        more = max(0, diagnostics.count - limit)
    }

    /// "file:line:column: error: message", the compiler style, then "… and N more problems in file".
    public var lines: [String] {
        problems.map { "\(file):\($0.line):\($0.column): error: \($0.message)" }
            + (more > 0 ? ["… and \(more) more problem\(more == 1 ? "" : "s") in \(file)"] : [])
    }
}
