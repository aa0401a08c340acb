import Foundation
import Testing
@testable import LabModel

@Suite("Matrix files: which labs run on which kernels")
struct MatrixFileTests {
    /// A matrix file beside the shipped labs, so that its relative paths resolve.
    static let path = Fixtures.lab("kernels.matrix.yaml")

    static func problems(_ yaml: String) -> [String] {
        do {
            _ = try MatrixFile.parse(yaml: yaml, path: path)
            return []
        } catch let error as LabFileError {
            return error.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
        } catch {
            return ["\(error)"]
        }
    }

    @Test("rows resolve their lab paths against the matrix file's folder and keep their kernels")
    func resolves() throws {
        let entries = try MatrixFile.parse(yaml: """
            matrix:
              - labs: [minimal.yaml]
                kernels: [host, "6.1", 6.12.117+deb12]
            """, path: Self.path)
        #expect(entries.count == 1)
        #expect(entries[0].labs == [Fixtures.lab("minimal.yaml")])
        #expect(entries[0].kernels == ["host", "6.1", "6.12.117+deb12"])
    }

    @Test("every problem at once, each at its line and column")
    func problems() {
        let found = Self.problems("""
            matrix:
              - labs: [missing.yaml]
                kernels: [host, host]
              - kernels: [latest]
                lab: [minimal.yaml]
            """)
        #expect(found.contains { $0.hasPrefix("2:12: no lab file or folder at") })
        #expect(found.contains("3:21: kernel 'host' is listed twice"))
        #expect(found.contains("4:15: kernel 'latest' is neither host nor a version such as 6.1 or 6.1.0-57"))
        #expect(found.contains { $0.hasPrefix("5:5: unknown key 'lab'") })
        #expect(found.count == 4, "\(found)")
    }

    @Test("an empty file, no rows, or a row given without matrix: say what a matrix needs")
    func emptyOrWrong() {
        #expect(Self.problems("").first?.contains("the matrix file is empty") == true)
        #expect(Self.problems("matrix: []") == ["1:9: matrix needs at least one row of labs and kernels"])
        #expect(Self.problems("labs: [gate]\n").first?.hasPrefix("1:1: unknown key 'labs'") == true)
    }

    @Test("an empty row, a lab file given as a matrix, and a folder without labs are refused where they are")
    func emptyRowsAndWrongFiles() throws {
        #expect(Self.problems("""
            matrix:
              - labs: []
                kernels: [host]
              - labs: [minimal.yaml]
                kernels: []
            """) == ["2:11: labs is empty: a row needs at least one lab and one kernel, or should go",
                     "5:14: kernels is empty: a row needs at least one lab and one kernel, or should go"])
        #expect(Self.problems("lab: gate\ntopology: {}\n") == ["1:1: a lab file, not a matrix file: run it with xdplab run \(Self.path)"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("matrix-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/only-matrices", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "matrix: []\n".write(toFile: folder + "/only-matrices/k.matrix.yaml", atomically: true, encoding: .utf8)
        let found = try #require(throws: LabFileError.self) {
            try MatrixFile.parse(yaml: "matrix:\n  - labs: [only-matrices]\n    kernels: [host]\n", path: folder + "/m.matrix.yaml")
        }
        #expect(found.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
                == ["2:12: \(folder)/only-matrices holds only matrix files below it, which are not labs: run one with "
                    + "xdplab run --matrix \(folder)/only-matrices/k.matrix.yaml"])
    }

    @Test("a matrix file given as a lab is refused at 1:1 with the command that runs it")
    func matrixAsLab() throws {
        let matrix = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Labs/kernels.matrix.yaml").standardized.path
        #expect(FileManager.default.fileExists(atPath: matrix))
        let error = try #require(throws: LabFileError.self) { try LabLoader.load(path: matrix) }
        #expect(error.diagnostics.map(\.description) == ["\(matrix):1:1: error: a matrix file, not a lab: run it with xdplab run --matrix \(matrix)"])
    }
}
