import Yams

/// Turns Yams' parse errors into one located diagnostic in the house style.
enum YAMLSyntax {
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

    /// Line and column of the `offset`-th character.
    private static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for character in text.prefix(offset) {
            if character == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
