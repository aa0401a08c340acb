import Foundation
import Testing
@testable import LabModel

@Suite("What a lab file may be: bounded in size and depth, and libyaml's words said plainly")
struct LabFileBoundsTests {
    private func problem(in yaml: String) throws -> Diagnostic {
        let error = try #require(throws: LabFileError.self) { try LabLoader.parse(yaml: yaml, path: "lab.yaml") }
        #expect(error.diagnostics.count == 1, "\(error)")
        return try #require(error.diagnostics.first)
    }

    @Test("a file over 1 MiB is refused before it is read, with its size")
    func largeFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-large-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let entry = "  - ssh-survives\n"
        let text = "lab: large\nexpect:\n" + String(repeating: entry, count: LabLoader.maximumFileSize / entry.utf8.count + 1)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let started = Date()
        let error = try #require(throws: LabFileError.self) { try LabLoader.load(path: path) }
        #expect(Date().timeIntervalSince(started) < 1)
        let found = try #require(error.diagnostics.first)
        #expect(error.diagnostics.count == 1)
        #expect(found.location == SourceLocation(file: path, line: 1, column: 1))
        #expect(found.message.hasPrefix("the lab file is 1.0 MiB (\(text.utf8.count) bytes); xdplab reads lab files of up to 1 MiB"))
    }

    @Test("lab-file text over 1 MiB is refused too")
    func largeText() throws {
        let found = try problem(in: "lab: x\n#" + String(repeating: "x", count: LabLoader.maximumFileSize))
        #expect(found.message.contains("up to 1 MiB"))
    }

    @Test("a tab in the indentation is called a tab, at its line and column",
          arguments: [("lab: x\ntopology:\n\thosts: [a]\n", 3, 1), ("lab: x\ntopology:\n  hosts:\n  \t- a\n", 4, 3)])
    func tab(_ yaml: String, _ line: Int, _ column: Int) throws {
        let found = try problem(in: yaml)
        #expect(found.location == SourceLocation(file: "lab.yaml", line: line, column: column))
        #expect(found.message == "a tab character here: YAML indents with spaces only; replace the tab with spaces")
    }

    @Test("a document nested deeper than the parser allows gets a clear message", arguments: ["flow", "block"])
    func deepNesting(_ style: String) throws {
        let yaml = style == "flow"
            ? "lab: x\nexpect: " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "\n"
            : (0..<1_100).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        let found = try problem(in: yaml)
        #expect(found.message.hasPrefix("the YAML nests too deeply here"))
        #expect(!found.message.contains("yaml_set_max_nest_level"))
    }

    @Test("other syntax errors keep libyaml's own words")
    func otherSyntaxErrors() throws {
        let found = try problem(in: "lab: x\nexpect: [a, b\n")
        #expect(found.message.hasPrefix("YAML syntax error:"))
    }
}
