import Foundation
import LabModel
import Reports

/// `xdplab run --matrix FILE`: the rows of a matrix file, turned into the labs to load and, once loaded, the plan
/// of which labs run on which kernel.
struct MatrixRows {
    let rows: [(kernels: [String], paths: [String])]

    /// Reads the matrix file; its problems go to standard error and the reports, as a lab file's do.
    static func load(_ path: String, destinations: ReportDestinations, started: Date) throws -> MatrixRows {
        do {
            let entries = try MatrixFile.load(path: path)
            return MatrixRows(rows: try entries.map { (kernels: $0.kernels, paths: try LabFiles.expand($0.labs)) })
        } catch let error as LabFileError {
            let problems = LabFileProblems(file: path, diagnostics: error.diagnostics)
            FileHandle.standardError.write(Data(problems.lines.map { $0 + "\n" }.joined().utf8))
            try destinations.write([], labFileErrors: [problems], context: ReportContext(startedAt: started))
            throw Status.badInput
        }
    }

    /// Every lab path of every row, each once, in the order the rows name them.
    var paths: [String] {
        var seen: Set<String> = []
        return rows.flatMap(\.paths).filter { seen.insert(Self.key($0)).inserted }
    }

    /// Kernels in the order the rows first name them, each with the labs (of `labs`, as loaded and selected) that
    /// some row puts on it, in the order of `labs`.
    func plan(_ labs: [Lab]) -> [(kernel: String, labs: [Lab])] {
        var kernels: [String] = []
        for row in rows { for kernel in row.kernels where !kernels.contains(kernel) { kernels.append(kernel) } }
        return kernels.map { kernel in
            let paths = Set(rows.filter { $0.kernels.contains(kernel) }.flatMap(\.paths).map(Self.key))
            return (kernel, labs.filter { paths.contains(Self.key($0.path)) })
        }.filter { !$0.labs.isEmpty }
    }

    private static func key(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
}
