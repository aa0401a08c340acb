import Foundation
import Yams

/// Turns lab files into checked `Lab` values. Every problem in a file is reported at once, each with
/// its line and column, as a `LabFileError`.
public enum LabLoader {
    /// The largest lab file read. A lab file is a few kilobytes; the bound keeps a runaway file (a generated
    /// `expect` list of millions of entries) from taking seconds and gigabytes to reject.
    public static let maximumFileSize = 1 << 20

    /// Reads and resolves the lab file at `path`. A missing or unreadable file is reported as a
    /// diagnostic at line 1, column 1.
    public static func load(path: String) throws -> Lab {
        let start = SourceLocation(file: path, line: 1, column: 1)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw LabFileError(diagnostics: [Diagnostic(location: start,
                message: "lab file not found; check the path (relative paths start at \(FileManager.default.currentDirectoryPath))")])
        }
        guard !isFolder.boolValue else {
            throw LabFileError(diagnostics: [Diagnostic(location: start,
                message: "this is a folder, not a lab file; name a .yaml file inside it")])
        }
        guard !path.hasSuffix(MatrixFile.suffix) else {
            throw LabFileError(diagnostics: [Diagnostic(location: start,
                message: "a matrix file, not a lab: run it with xdplab run --matrix \(path)")])
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
           size.intValue > maximumFileSize {
            throw LabFileError(diagnostics: [tooLarge(size.intValue, at: start)])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LabFileError(diagnostics: [Diagnostic(location: start,
                message: "cannot read the lab file; check its permissions")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw LabFileError(diagnostics: [Diagnostic(location: start,
                message: "the lab file is not UTF-8 text")])
        }
        return try parse(yaml: text, path: path)
    }

    /// Resolves lab-file text. `path` names the file in diagnostics and is the base for the relative
    /// `program:` path; a relative `path` is taken from the current directory.
    public static func parse(yaml: String, path: String) throws -> Lab {
        let size = yaml.utf8.count
        guard size <= maximumFileSize else {
            throw LabFileError(diagnostics: [tooLarge(size, at: SourceLocation(file: path, line: 1, column: 1))])
        }
        let reader = NodeReader(file: path)
        let root = try YAMLSyntax.compose(yaml, file: path)
        guard let root, !reader.isNull(root) else {
            reader.error("the lab file is empty; it needs lab, topology, stack, traffic and expect", at: nil as Node?)
            throw LabFileError(diagnostics: reader.diagnostics)
        }
        let absolutePath = LabPaths.absolute(path, relativeTo: FileManager.default.currentDirectoryPath)
        let lab = LabResolver(reader: reader, labPath: absolutePath).resolve(root)
        guard reader.diagnostics.isEmpty, let lab else {
            throw LabFileError(diagnostics: reader.diagnostics)
        }
        return lab
    }

    private static func tooLarge(_ size: Int, at location: SourceLocation) -> Diagnostic {
        let mebibytes = String(format: "%.1f", Double(size) / Double(1 << 20))
        return Diagnostic(location: location,
                          message: "the lab file is \(mebibytes) MiB (\(size) bytes); xdplab reads lab files of up to 1 MiB "
                              + "(a lab file is a few kilobytes: is this the right file?)")
    }
}
