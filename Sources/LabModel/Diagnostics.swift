/// Where something was written in a lab file, so every message can point at it.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    /// 1-based.
    public let line: Int
    /// 1-based, counted in Unicode scalars (as libyaml counts them).
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// "file:line:column", the form editors and terminals turn into links.
    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem in a lab file. Lab files only have errors: anything doubtful is rejected, not warned about.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public let location: SourceLocation
    public let message: String

    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    /// "file:3:5: error: message", the compiler style.
    public var description: String { "\(location): error: \(message)" }
}

/// Every problem found in one lab file, so the author can fix them all in one go.
public struct LabFileError: Error, Sendable, CustomStringConvertible {
    /// Sorted by line, then column; problems at the same place keep the order they were found in.
    public let diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.enumerated().sorted { lhs, rhs in
            let l = lhs.element.location, r = rhs.element.location
            if l.line != r.line { return l.line < r.line }
            if l.column != r.column { return l.column < r.column }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// One line per diagnostic.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
