import Foundation
import Yams

/// One row of a matrix file: these labs (files or folders) on these kernels.
public struct MatrixEntry: Sendable, Equatable {
    /// Absolute paths of lab files or folders of them.
    public let labs: [String]
    public let kernels: [String]

    public init(labs: [String], kernels: [String]) {
        self.labs = labs
        self.kernels = kernels
    }
}

/// A matrix file (`xdplab run --matrix FILE`): which labs run on which kernels, kept in one place beside the labs
/// instead of in each lab's `kernels:`.
///
/// ```yaml
/// matrix:
///   - labs: [gate/validator-ports.yaml, incidents]   # relative to this file; a folder stands for its *.yaml
///     kernels: [host, "6.1", "6.12"]
/// ```
public enum MatrixFile {
    /// How a matrix file's name ends, so that a folder of labs can hold one without it being taken for a lab.
    public static let suffix = ".matrix.yaml"

    /// Reads and checks the file; every problem comes at once, each at its line and column, as a `LabFileError`.
    public static func load(path: String) throws -> [MatrixEntry] {
        guard let data = FileManager.default.contents(atPath: path), data.count <= LabLoader.maximumFileSize else {
            throw LabFileError(diagnostics: [Diagnostic(location: SourceLocation(file: path, line: 1, column: 1),
                message: "cannot read the matrix file (missing, unreadable or over 1 MiB); check the path")])
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), path: path)
    }

    /// Resolves matrix-file text; lab paths are taken relative to `path`'s folder.
    public static func parse(yaml: String, path: String) throws -> [MatrixEntry] {
        let reader = NodeReader(file: path)
        let root = try YAMLSyntax.compose(yaml, file: path)
        let folder = LabPaths.folder(of: LabPaths.absolute(path, relativeTo: FileManager.default.currentDirectoryPath))
        var entries: [MatrixEntry] = []
        guard let root, !reader.isNull(root) else {
            reader.error("the matrix file is empty; it needs matrix: a list of {labs: [...], kernels: [...]} rows",
                         at: nil as Node?)
            throw LabFileError(diagnostics: reader.diagnostics)
        }
        if case .mapping(let pairs) = root, let labKey = pairs.first(where: { $0.key.string == "lab" })?.key {
            reader.error("a lab file, not a matrix file: run it with xdplab run \(path)", at: labKey)
            throw LabFileError(diagnostics: reader.diagnostics)
        }
        if let top = reader.fields(root, "the matrix file", known: ["matrix"]),
           let matrix = top.required("matrix", reader, meaning: "a list of {labs: [...], kernels: [...]} rows"),
           let rows = reader.list(matrix, "matrix", example: "[{labs: [gate], kernels: [host, \"6.1\"]}]") {
            if rows.isEmpty { reader.error("matrix needs at least one row of labs and kernels", at: matrix) }
            entries = rows.compactMap { entry($0, reader: reader, folder: folder) }
        }
        guard reader.diagnostics.isEmpty else { throw LabFileError(diagnostics: reader.diagnostics) }
        return entries
    }

    private static func entry(_ node: Node, reader: NodeReader, folder: String) -> MatrixEntry? {
        guard let fields = reader.fields(node, "a matrix row", known: ["labs", "kernels"]) else { return nil }
        let labs = fields.required("labs", reader, meaning: "the lab files or folders of this row")
            .flatMap { labPaths($0, reader: reader, folder: folder) }
        let kernels = fields.required("kernels", reader, meaning: "the kernels this row's labs run on")
            .flatMap(reader.kernelList)
        guard let labs, let kernels else { return nil }
        for (key, empty) in [("labs", labs.isEmpty), ("kernels", kernels.isEmpty)] where empty {
            reader.error("\(key) is empty: a row needs at least one lab and one kernel, or should go", at: fields[key])
        }
        return labs.isEmpty || kernels.isEmpty ? nil : MatrixEntry(labs: labs, kernels: kernels)
    }

    /// Each path must name an existing lab file or folder.
    private static func labPaths(_ node: Node, reader: NodeReader, folder: String) -> [String]? {
        guard let items = reader.list(node, "labs", example: "[gate/validator-ports.yaml, incidents]") else { return nil }
        var paths: [String] = []
        for item in items {
            guard let text = reader.string(item, "a lab path") else { continue }
            let path = LabPaths.absolute(text, relativeTo: folder)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                reader.error("no lab file or folder at \(path); paths are relative to the matrix file", at: item)
                continue
            }
            if isFolder.boolValue && LabFolder.labFiles(below: path).isEmpty {
                reader.error(LabFolder.emptyReason(path), at: item)
                continue
            }
            paths.append(path)
        }
        return paths.count == items.count ? paths : nil
    }
}
