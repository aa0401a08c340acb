import Yams

/// Turns Yams' parse errors into one located diagnostic in the house style.
enum YAMLSyntax {
    /// The YAML tree of `yaml`; a syntax error becomes a `LabFileError` at its line and column in `file`.
    static func compose(_ yaml: String, file: String) throws -> Node? {
        do {
            return try Yams.compose(yaml: yaml)
        } catch {
            throw LabFileError(diagnostics: [diagnostic(for: error, yaml: yaml, file: file)])
        }
    }

    static func diagnostic(for error: Error, yaml: String, file: String) -> Diagnostic {
        func at(_ line: Int, _ column: Int, _ message: String) -> Diagnostic {
            Diagnostic(location: SourceLocation(file: file, line: line, column: column), message: message)
        }
        guard let error = error as? YamlError else {
            return at(1, 1, "cannot parse the file as YAML: \(error)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            if let plain = plainly(problem, line: mark.line, column: mark.column, yaml: yaml) {
                return at(mark.line, mark.column, plain)
            }
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return at(mark.line, mark.column, message + "; check indentation, quotes and brackets here")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return at(context.mark.line, context.mark.column,
                      "key \(keys) appears more than once in the same mapping; keep one")
        case .reader(let problem, let offset, _, _):
            let (line, column) = position(ofCharacter: offset ?? 0, in: yaml)
            return at(line, column, "cannot read the file as text: \(problem)")
        default:
            return at(1, 1, "cannot parse the file as YAML: \(error)")
        }
    }

    /// libyaml's words for two mistakes that its own message does not name.
    private static func plainly(_ problem: String, line: Int, column: Int, yaml: String) -> String? {
        if problem.contains("Maximum nesting level") {
            return "the YAML nests too deeply here: more levels of mappings and lists than the YAML parser allows "
                + "(a lab file needs about five); look for runaway brackets or indentation"
        }
        let tabHere = scalar(atLine: line, column: column, in: yaml) == "\t"
        if problem.contains("tab character") || (tabHere && problem.contains("cannot start any token")) {
            return "a tab character here: YAML indents with spaces only; replace the tab with spaces"
        }
        return nil
    }

    /// The character at a 1-based line and column, counted in Unicode scalars as libyaml counts them.
    private static func scalar(atLine line: Int, column: Int, in text: String) -> Unicode.Scalar? {
        guard line >= 1, column >= 1 else { return nil }
        var lines = text.split(separator: "\n", maxSplits: line, omittingEmptySubsequences: false)
        guard lines.count >= line else { return nil }
        let scalars = Array(lines.remove(at: line - 1).unicodeScalars.prefix(column))
        return scalars.count == column ? scalars[column - 1] : nil
    }

    /// Line and column of the `offset`-th character.
    private static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for character in text.prefix(offset) {
            if character == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
