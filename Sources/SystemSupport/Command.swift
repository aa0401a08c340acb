import Foundation
import Synchronization

/// Runs external tools (iproute2, ethtool, clang) and captures their output.
/// A non-zero exit status is a result, not an error; `check()` turns it into one.
public struct CommandResult: Sendable {
    public let command: [String]
    public let status: Int32
    public let stdout: String
    public let stderr: String

    @discardableResult
    public func check() throws -> CommandResult {
        guard status == 0 else { throw CommandError(result: self) }
        return self
    }
}

public struct CommandError: Error, CustomStringConvertible {
    public let result: CommandResult
    public var description: String {
        let why = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return "`\(result.command.joined(separator: " "))` exited \(result.status)" + (why.isEmpty ? "" : ": \(why)")
    }
}

public enum Command {
    private static let tracer = Mutex<(@Sendable (String) -> Void)?>(nil)

    /// Sees every tool run, as "$ ip -n … (exit 0)" (`xdplab run --verbose`); nil stops it.
    public static func trace(_ tracer: (@Sendable (String) -> Void)?) {
        self.tracer.withLock { $0 = tracer }
    }

    /// Finds an executable on PATH (and in the sbin folders that a non-login root shell may lack).
    public static func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static func run(_ tool: String, _ arguments: [String], input: String? = nil) throws -> CommandResult {
        guard let executable = which(tool) else {
            throw MissingToolError(tool: tool)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try? inPipe.fileHandleForWriting.close()
        }
        // Read stderr on another thread so a chatty tool cannot fill one pipe and block.
        let errData = Mutex(Data())
        let errDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            errData.withLock { $0 = data }
            errDone.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        errDone.wait()
        process.waitUntilExit()
        if let tracer = tracer.withLock({ $0 }) {
            tracer("$ \(([tool] + arguments).joined(separator: " ")) (exit \(process.terminationStatus))")
        }
        return CommandResult(command: [tool] + arguments, status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: errData.withLock { String(decoding: $0, as: UTF8.self) })
    }

    /// Runs a tool and fails unless it exits 0.
    @discardableResult
    public static func checked(_ tool: String, _ arguments: [String], input: String? = nil) throws -> CommandResult {
        try run(tool, arguments, input: input).check()
    }
}

/// A tool the lab needs is not installed: a missing capability of this machine, not a lab error.
public struct MissingToolError: Error, CustomStringConvertible {
    public let tool: String
    public var description: String {
        "`\(tool)` is not installed; on Debian: apt-get install \(Self.package[tool] ?? tool)"
    }
    static let package = ["ip": "iproute2", "ethtool": "ethtool", "clang": "clang"]
}

