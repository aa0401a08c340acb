import Foundation
import Glibc

/// The repository, found from this file, so tests use the shipped labs and programs.
public enum RepositoryPaths {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// The built `xdplab` executable (beside the test bundle in the build folder), run as a user runs it.
public enum XDPLabCommand {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("xdplab").path
    }

    public static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// Runs `xdplab arguments…` to its end; `environment` entries are added to this process's environment
    /// (an empty value sets the variable to the empty string, nil removes it).
    public static func run(_ arguments: [String], environment: [String: String?] = [:],
                           currentDirectory: String? = nil) throws -> Result {
        let running = try start(arguments, environment: environment, currentDirectory: currentDirectory)
        return running.finish()
    }

    /// A running `xdplab`, its output collected as it comes.
    public final class Running: @unchecked Sendable {
        public let process: Process
        private let out = Collected(), err = Collected()
        private let done = DispatchGroup()

        init(_ process: Process, stdout: Pipe, stderr: Pipe) {
            self.process = process
            for (pipe, box) in [(stdout, out), (stderr, err)] {
                done.enter()
                // Read as it comes, so a test can wait for a line while the command runs.
                let thread = Thread { [done] in
                    while true {
                        let chunk = pipe.fileHandleForReading.availableData
                        if chunk.isEmpty { break }
                        box.append(chunk)
                    }
                    box.close()
                    done.leave()
                }
                thread.start()
            }
        }

        /// Waits until standard error, as written so far, has a line for which `matches` holds, and returns that
        /// line; nil when the command ends or `timeout` seconds pass first. Progress lines go to standard error.
        public func waitForErrorLine(timeout: Double, _ matches: (Substring) -> Bool) -> Substring? {
            err.wait(timeout: timeout) { data in
                String(decoding: data, as: UTF8.self).split(separator: "\n").first(where: matches)
            }
        }

        public var pid: Int32 { process.processIdentifier }

        public func signal(_ signo: Int32) { kill(process.processIdentifier, signo) }

        /// Waits for the exit and both streams' ends.
        public func finish() -> Result {
            process.waitUntilExit()
            done.wait()
            return Result(status: process.terminationStatus, stdout: String(decoding: out.data, as: UTF8.self),
                          stderr: String(decoding: err.data, as: UTF8.self))
        }
    }

    public static func start(_ arguments: [String], environment: [String: String?] = [:],
                             currentDirectory: String? = nil) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = merged(environment)
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process, stdout: stdout, stderr: stderr)
    }

    /// Runs `xdplab` under script(1), which gives it a pseudo-terminal for its standard input and output and
    /// copies what it wrote there; returns that, and the exit status. Needs util-linux's `script`.
    public static func runOnTerminal(_ arguments: [String], environment: [String: String?] = [:]) throws -> Result {
        let quoted = ([executable] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["--quiet", "--return", "--command", quoted.joined(separator: " ") + " 2>/dev/null", "/dev/null"]
        process.environment = merged(environment)
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let running = Running(process, stdout: stdout, stderr: stderr)
        return running.finish()
    }

    /// Runs another tool (ip, say) and returns its standard output; fails unless it exits 0.
    public static func runTool(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let result = Running(process, stdout: stdout, stderr: stderr).finish()
        guard result.status == 0 else { throw ToolFailure(description: "\(tool) \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result.stdout
    }

    public struct ToolFailure: Error, CustomStringConvertible { public let description: String }

    public static var canUseTerminal: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/script") }

    /// A copy of a shipped lab in `folder`, renamed, with its relative paths made absolute and its traffic shortened.
    public static func labCopy(of shipped: String, name: String, duration: String = "2s", rounds: Int = 2,
                               in folder: String, preflight: Bool = true) throws -> String {
        let source = RepositoryPaths.path(shipped)
        let base = URL(fileURLWithPath: source).deletingLastPathComponent()
        var text = try String(contentsOfFile: source, encoding: .utf8)
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            var line = line
            if line.hasPrefix("lab: ") { line = "lab: \(name)" }
            if line.hasPrefix("  duration: ") { line = "  duration: \(duration)" }
            if line.hasPrefix("  rounds: ") { line = "  rounds: \(rounds)" }
            if !preflight, line.hasPrefix("  preflight: ") { continue }
            lines.append(line)
        }
        text = lines.joined(separator: "\n")
        // Relative paths (program:, command:) start at the shipped lab's folder.
        for prefix in ["../../", "../"] {
            let absolute = base.appendingPathComponent(prefix).standardizedFileURL.path + "/"
            text = text.replacingOccurrences(of: " \(prefix)", with: " \(absolute)")
                .replacingOccurrences(of: "[\(prefix)", with: "[\(absolute)")
        }
        let path = "\(folder)/\(name).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private static func merged(_ changes: [String: String?]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in changes { environment[name] = value }
        return environment
    }

    /// One stream's bytes so far; a condition tells waiters when more came or the stream ended.
    private final class Collected: @unchecked Sendable {
        private let condition = NSCondition()
        private var bytes = Data()
        private var ended = false

        var data: Data { condition.withLock { bytes } }

        func append(_ chunk: Data) {
            condition.withLock {
                bytes.append(chunk)
                condition.broadcast()
            }
        }

        func close() {
            condition.withLock {
                ended = true
                condition.broadcast()
            }
        }

        func wait<T>(timeout: Double, for found: (Data) -> T?) -> T? {
            let deadline = Date().addingTimeInterval(timeout)
            condition.lock()
            defer { condition.unlock() }
            while true {
                if let value = found(bytes) { return value }
                if ended || !condition.wait(until: deadline) { return found(bytes) }
            }
        }
    }
}

/// A fresh folder under the temporary directory.
public func makeTemporaryFolder(_ prefix: String = "xdplab-cli") throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
