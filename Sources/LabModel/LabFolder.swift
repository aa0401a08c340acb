import Foundation

/// A folder of labs stands for every `*.yaml` below it, but matrix files (`*.matrix.yaml`), which say which labs
/// run where and are run with `--matrix`.
public enum LabFolder {
    /// The lab files below `folder`, sorted, as paths that start with `folder`.
    public static func labFiles(below folder: String) -> [String] {
        files(below: folder).filter { !$0.hasSuffix(MatrixFile.suffix) }
    }

    /// Why `folder` stands for no lab: said where a folder is given as labs.
    public static func emptyReason(_ folder: String) -> String {
        let matrices = files(below: folder).filter { $0.hasSuffix(MatrixFile.suffix) }
        guard let first = matrices.first else { return "\(folder) is a folder without lab files (*.yaml) below it" }
        return "\(folder) holds only matrix files below it, which are not labs: run one with xdplab run --matrix \(first)"
    }

    private static func files(below folder: String) -> [String] {
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let found = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        return found.filter { $0.hasSuffix(".yaml") }.sorted().map { "\(base)/\($0)" }
    }
}
