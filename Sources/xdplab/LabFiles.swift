import ArgumentParser
import Foundation
import Glibc
import LabModel
import Reports

/// The lab files a command was given: folders stand for every `*.yaml` below them, patterns the shell left alone
/// (quoted in a CI file) are expanded, and each file is read once.
enum LabFiles {
    /// Expands folders (every `*.yaml` below, sorted) and unexpanded glob patterns, keeping the order given and
    /// dropping repeats. A path that is neither stays as it is, for the loader to report.
    static func expand(_ arguments: [String]) throws -> [String] {
        var paths: [String] = []
        for argument in arguments {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder) {
                if isFolder.boolValue {
                    let found = LabFolder.labFiles(below: argument)
                    guard !found.isEmpty else { throw ValidationError(LabFolder.emptyReason(argument)) }
                    paths += found
                } else {
                    paths.append(argument)
                }
            } else if argument.contains(where: { "*?[".contains($0) }) {
                let matches = glob(argument)
                guard !matches.isEmpty else { throw ValidationError("no file matches \(argument)") }
                paths += try expand(matches)
            } else {
                paths.append(argument)
            }
        }
        var seen: Set<String> = []
        return paths.filter { seen.insert(URL(fileURLWithPath: $0).standardizedFileURL.path).inserted }
    }

    /// The paths `pattern` matches, sorted. The corresponding C function is `glob`.
    private static func glob(_ pattern: String) -> [String] {
        var found = glob_t()
        defer { globfree(&found) }
        guard Glibc.glob(pattern, 0, nil, &found) == 0 else { return [] }
        return (0..<Int(found.gl_pathc)).compactMap { found.gl_pathv[$0].map { String(cString: $0) } }
    }

    /// Loads every file. Each bad file's problems go to standard error, at most `LabFileProblems.shownLimit` of
    /// them, and come back for the reports.
    static func load(_ paths: [String]) -> (labs: [Lab], problems: [LabFileProblems]) {
        var labs: [Lab] = []
        var problems: [LabFileProblems] = []
        for path in paths {
            let found: LabFileProblems
            do {
                labs.append(try LabLoader.load(path: path))
                continue
            } catch let error as LabFileError {
                found = LabFileProblems(file: path, diagnostics: error.diagnostics)
            } catch {
                found = LabFileProblems(file: path, problems: [.init(line: 1, column: 1, message: "\(error)")])
            }
            problems.append(found)
            FileHandle.standardError.write(Data(found.lines.map { $0 + "\n" }.joined().utf8))
        }
        return (labs, problems)
    }

    /// The labs named by `--only` (by their `lab:` name), in file order; all of them when `names` is empty.
    static func select(_ labs: [Lab], only names: [String]) throws -> [Lab] {
        guard !names.isEmpty else { return labs }
        let known = Set(labs.map(\.name))
        if let unknown = names.first(where: { !known.contains($0) }) {
            let available = labs.map(\.name).joined(separator: ", ")
            throw ValidationError("--only \(unknown): no lab is named \(unknown); the labs given are: \(available)")
        }
        return labs.filter { names.contains($0.name) }
    }
}
