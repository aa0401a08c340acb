import ArgumentParser
import Foundation
import Glibc
import Reports

/// `--color`: `always` and `never` decide; `auto` colours a terminal unless `NO_COLOR` is set to anything
/// non-empty (no-color.org: a command-line option overrides the variable).
enum ColorMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

struct ColorOption: ParsableArguments {
    @Option(help: "Colour the summary: auto (on a terminal, unless NO_COLOR is set), always or never.")
    var color: ColorMode = .auto

    func enabled(for descriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        switch color {
        case .always: return true
        case .never: return false
        case .auto: return isatty(descriptor) != 0 && (environment["NO_COLOR"] ?? "").isEmpty
        }
    }
}

/// How much of a run's progress reaches standard error.
struct ProgressOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "No progress lines on standard error (the summary and reports are unchanged).")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Progress lines, and every tool xdplab runs (ip, tc, clang) with its exit status.")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose exclude each other") }
    }
}

/// Where `--json` and `--junit` go: a file, or `-` for standard output. With a report on standard output, the
/// terminal summary goes to standard error; progress is always on standard error.
struct ReportDestinations: Sendable {
    let json: String?
    let junit: String?

    static let standardOutput = "-"

    var summaryToStandardError: Bool { json == Self.standardOutput || junit == Self.standardOutput }

    /// The descriptor the summary is written to, for colour decisions.
    var summaryDescriptor: Int32 { summaryToStandardError ? STDERR_FILENO : STDOUT_FILENO }

    func validate() throws {
        if json == Self.standardOutput && junit == Self.standardOutput {
            throw ValidationError("only one of --json and --junit can be - (standard output)")
        }
        // Found before any lab runs, not after: a path that can never be written.
        for (option, path) in [("--json", json), ("--junit", junit)] {
            guard let path, path != Self.standardOutput else { continue }
            if let problem = Self.unwritable(path) { throw ValidationError("\(option) \(path): \(problem)") }
        }
    }

    /// Why a report can never be written at `path` (a folder is there, or a file stands where a folder must be);
    /// nil when it can. Missing folders are created when the report is written.
    static func unwritable(_ path: String) -> String? {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            return isFolder.boolValue ? "is a folder; name a file in it" : nil
        }
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isFolder) {
            ancestor.deleteLastPathComponent()
        }
        return isFolder.boolValue ? nil : "\(ancestor.path) is a file, so no folder can be made there; pick another path"
    }

    /// Prints the terminal summary where it belongs.
    func summary(_ text: String) {
        let handle = summaryToStandardError ? FileHandle.standardError : FileHandle.standardOutput
        handle.write(Data(text.utf8))
    }

    /// Writes the JSON and JUnit reports that were asked for.
    func write(_ reports: [LabReport], labFileErrors: [LabFileProblems] = [], context: ReportContext,
               kernels: [KernelRun] = []) throws {
        if let json {
            try write(JSONReport.render(reports, labFileErrors: labFileErrors, context: context, kernels: kernels), to: json)
        }
        if let junit { try write(JUnitReport.render(reports, labFileErrors: labFileErrors, context: context), to: junit) }
    }

    /// Writes a report to its destination; a file that cannot be written is bad input (status 2).
    func write(_ text: String, to path: String) throws {
        if path == Self.standardOutput {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("xdplab: cannot write \(path): \(error.localizedDescription)\n".utf8))
            throw Status.badInput
        }
    }
}
