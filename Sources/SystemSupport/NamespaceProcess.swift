import Foundation
import Synchronization
import Glibc
import CLinux

/// How a process ended.
public struct ProcessExit: Sendable, Equatable, Codable {
    /// The exit status, when it exited by itself.
    public let status: Int32?
    /// The signal that ended it, when one did.
    public let signal: Int32?
    /// Seconds on CLOCK_MONOTONIC.
    public let at: Double

    public init(status: Int32?, signal: Int32?, at: Double) {
        self.status = status
        self.signal = signal
        self.at = at
    }

    /// "exited with status 3", "killed by SIGKILL".
    public var text: String {
        if let status { return "exited with status \(status)" }
        if let signal { return "killed by \(signalName(signal))" }
        return "ended"
    }
}

/// "SIGTERM", "SIGKILL", or "signal 40".
public func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL",
                                  SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL",
                                  SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE", SIGTERM: "SIGTERM"]
    return names[signal] ?? "signal \(signal)"
}

/// A program xdplab starts inside one of its namespaces with `ip netns exec` (so it also sees the namespace's
/// /sys, as it would on a machine of its own), as the leader of a process group of its own, with its output in a
/// log file. A waiter thread reaps it and notes when and how it ended. `terminate` ends the whole group.
public final class NamespaceProcess: Sendable {
    public let pid: pid_t
    public let namespace: String
    public let logPath: String
    /// Seconds on CLOCK_MONOTONIC.
    public let startedAt: Double
    private let ended = Mutex<ProcessExit?>(nil)
    private let endedSignal = DispatchSemaphore(value: 0)

    private init(pid: pid_t, namespace: String, logPath: String) {
        self.pid = pid
        self.namespace = namespace
        self.logPath = logPath
        startedAt = monotonicSeconds()
    }

    /// Starts `arguments` in `namespace`. `environment` is added to xdplab's own; `XDPLAB_RUN` marks the process
    /// as the run's (clean-up finds it by its namespace anyway).
    public static func start(namespace: String, arguments: [String], environment: [String: String],
                             workingDirectory: String, logPath: String) throws -> NamespaceProcess {
        guard !arguments.isEmpty else { throw SystemError("start a process in \(namespace): no command", errno: EINVAL) }
        guard let ip = Command.which("ip") else { throw MissingToolError(tool: "ip") }
        let log = try syscall("open log \(logPath)") { open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        defer { close(log) }
        let argv = [ip, "netns", "exec", namespace] + arguments
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, lab in lab }
        let envp = merged.map { "\($0.key)=\($0.value)" }.sorted()
        var pid: pid_t = 0
        let error = withCStrings(argv) { argvPointers in
            withCStrings(envp) { envpPointers in
                clinux_spawn_group(ip, argvPointers, envpPointers, log, workingDirectory, &pid)
            }
        }
        guard error == 0 else {
            throw SystemError("start `\(arguments.joined(separator: " "))` in \(namespace)", errno: error)
        }
        let process = NamespaceProcess(pid: pid, namespace: namespace, logPath: logPath)
        process.startWaiter()
        return process
    }

    private func startWaiter() {
        let thread = Thread { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            let exit = ProcessExit(status: (status & 0x7f) == 0 ? (status >> 8) & 0xff : nil,
                                   signal: (status & 0x7f) != 0 ? status & 0x7f : nil, at: monotonicSeconds())
            ended.withLock { $0 = exit }
            endedSignal.signal()
        }
        thread.name = "xdplab waiter \(pid)"
        thread.start()
    }

    /// How it ended, or nil while it runs.
    public var exit: ProcessExit? { ended.withLock { $0 } }

    /// Waits at most `timeout` seconds for it to end.
    @discardableResult
    public func waitForExit(timeout: Double) -> ProcessExit? {
        if let exit { return exit }
        guard endedSignal.wait(timeout: .now() + timeout) == .success else { return nil }
        endedSignal.signal()   // later waiters return at once too
        return exit
    }

    /// SIGTERM to the whole group, `grace` seconds to end, then SIGKILL to the group. Returns how the leader ended
    /// (nil only if even SIGKILL did not end it within two seconds). Idempotent.
    @discardableResult
    public func terminate(grace: Double) -> ProcessExit? {
        if exit == nil {
            Glibc.kill(-pid, SIGTERM)
            if waitForExit(timeout: grace) == nil { Glibc.kill(-pid, SIGKILL) }
        }
        // Children that outlived the leader still belong to the group.
        Glibc.kill(-pid, SIGKILL)
        return waitForExit(timeout: 2)
    }

    /// The last `count` lines of its output.
    public func logTail(_ count: Int) -> [String] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return Array(text.split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init).reversed().drop(while: { $0.isEmpty }).prefix(count).reversed())
    }
}

/// Seconds on CLOCK_MONOTONIC.
public func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// A NULL-terminated array of C strings, alive for the body.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
