import Foundation
import Glibc
import Synchronization

/// Runs a program with a deadline, and ends everything it started when the deadline passes (vng starts qemu;
/// killing vng alone would leave qemu running).
public enum BoundedCommand {
    private static let running = Mutex<Set<Int32>>([])

    /// Ends every process group still running (on SIGINT/SIGTERM: a guest's qemu must not outlive xdplab).
    public static func endAll() {
        for pid in running.withLock({ $0 }) { kill(-pid, SIGKILL) }
    }

    public struct Result: Sendable {
        /// nil when the deadline ended it.
        public let status: Int32?
        public let seconds: Double
        public var timedOut: Bool { status == nil }
    }

    /// Runs `arguments` (the first is the program, looked up in PATH), writing stdout and stderr to `output`.
    /// `stop` is asked twice a second; when it returns a reason, the run is ended like a timeout.
    public static func run(_ arguments: [String], output: String, timeout: Double, environment: [String: String]? = nil,
                           stop: (() -> Bool)? = nil) throws -> Result {
        guard FileManager.default.createFile(atPath: output, contents: nil),
              let handle = FileHandle(forWritingAtPath: output) else {
            throw GuestError.io("open \(output) for writing")
        }
        defer { try? handle.close() }
        let process = Process()
        // Foundation starts the child as leader of its own process group, so kill(-pid) reaches qemu too.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        if let environment { process.environment = environment }
        let started = Date()
        do {
            try process.run()
        } catch {
            throw GuestError.io("start \(arguments.first ?? ""): \(error.localizedDescription)")
        }
        let pid = process.processIdentifier
        running.withLock { _ = $0.insert(pid) }
        defer { running.withLock { _ = $0.remove(pid) } }
        let deadline = started.addingTimeInterval(timeout)
        while process.isRunning {
            if Date() >= deadline || stop?() == true {
                endGroup(process.processIdentifier)
                process.waitUntilExit()
                return Result(status: nil, seconds: Date().timeIntervalSince(started))
            }
            usleep(200_000)
        }
        // qemu may outlive a vng that exited: nothing of the session stays behind.
        endGroup(process.processIdentifier, gently: false)
        return Result(status: process.terminationStatus, seconds: Date().timeIntervalSince(started))
    }

    /// SIGTERM to the group, a second to go, then SIGKILL.
    static func endGroup(_ pid: Int32, gently: Bool = true) {
        if gently {
            kill(-pid, SIGTERM)
            for _ in 0..<10 where kill(-pid, 0) == 0 { usleep(100_000) }
        }
        kill(-pid, SIGKILL)
    }

    /// Runs a short local command to completion and returns its output (apt-cache, dpkg, uname).
    public static func capture(_ arguments: [String], timeout: Double = 120) throws -> (status: Int32?, output: String) {
        let file = NSTemporaryDirectory() + "xdplab-cmd-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try run(arguments, output: file, timeout: timeout)
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return (result.status, text)
    }
}

public enum GuestError: Error, CustomStringConvertible, Equatable {
    case io(String)
    case missingTools([String])
    case notCached(String, cached: [String])
    case noPackage(String)
    case command(String, output: String)
    case boot(kernel: String, reason: String, consoleTail: String)

    public var description: String {
        switch self {
        case .io(let what): return "cannot \(what)"
        case .missingTools(let lines): return "guest kernels need tools this machine lacks:\n  " + lines.joined(separator: "\n  ")
        case .notCached(let kernel, let cached):
            return "kernel \(kernel) is not in the cache (\(cached.isEmpty ? "empty" : "has \(cached.joined(separator: ", "))")); "
                + (kernel.hasSuffix("-netdevsim") ? "build it with: scripts/build-guest-kernel (Debian does not build netdevsim)"
                    : "fetch it with: xdplab kernels fetch \(kernel)")
        case .noPackage(let version): return "no Debian package linux-image-\(version)*-amd64-unsigned is known to apt (tried after apt-get update)"
        case .command(let what, let output): return "\(what) failed:\n" + output.split(separator: "\n").suffix(15).joined(separator: "\n")
        case .boot(let kernel, let reason, let tail):
            return "guest \(kernel): \(reason)\nconsole tail:\n" + tail
        }
    }
}
