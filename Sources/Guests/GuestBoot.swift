import Foundation
import Reports

/// How the guest's CPU is provided: KVM (fast, where it works) or QEMU's emulation (TCG: slow, always works).
public enum Accelerator: String, Codable, Sendable {
    case kvm, tcg
}

/// What one guest boot brought back.
public struct GuestResult: Sendable {
    public let kernel: CachedKernel
    public let accelerator: Accelerator
    /// From starting vng until the guest ran its first command.
    public let bootSeconds: Double?
    public let totalSeconds: Double
    /// The guest's `xdplab run` reports, read from the shared folder.
    public let reports: [LabReport]
    /// The guest's `xdplab run` exit status.
    public let status: Int32
    public let directory: String
}

/// Boots a cached kernel under QEMU with virtme-ng: the host's root file system read-only, `directory` writable,
/// and one command inside. Results come back as files in `directory`: under TCG virtme-ng cannot find its
/// script I/O ports, so its stdout carries only the console and its exit status is always 255.
public struct GuestBoot: Sendable {
    public let tools: GuestTools
    public let cache: KernelCache

    public init(tools: GuestTools, cache: KernelCache) {
        self.tools = tools
        self.cache = cache
    }

    func vngArguments(_ kernel: CachedKernel, accelerator: Accelerator, directory: String, memory: String, cpus: Int,
                      command: [String]) -> [String] {
        var arguments = [tools.vng ?? "vng", "-v", "-r", cache.vmlinuz(of: kernel), "--force-9p", "--disable-microvm"]
        if accelerator == .tcg { arguments.append("--disable-kvm") }
        arguments += ["--memory", memory, "--cpus", "\(cpus)", "--rwdir", directory, "--"] + command
        return arguments
    }

    /// Runs `xdplab run` (at `executable`) with `runArguments` inside the guest; its JSON report and exit status
    /// come back through `directory`. Every wait is bounded by `timeout`; a panic ends the wait at once.
    public func runLabs(kernel: CachedKernel, accelerator: Accelerator, directory: String, executable: String,
                        runArguments: [String], workingDirectory: String, timeout: Double,
                        progress: @escaping (String) -> Void = { _ in }) throws -> GuestResult {
        let report = directory + "/report.json", status = directory + "/status", booted = directory + "/booted"
        let scriptPath = try writeScript(directory: directory, executable: executable, runArguments: runArguments,
                                         workingDirectory: workingDirectory)
        let console = directory + "/console.log"
        let arguments = vngArguments(kernel, accelerator: accelerator, directory: directory, memory: "2G", cpus: 2,
                                     command: ["sh", scriptPath])
        let started = Date()
        var bootSeconds: Double?
        var panic = false
        var lastConsoleCheck = Date.distantPast
        var finished: Date?
        var guestLog = GuestLogFollower(path: directory + "/guest.log")
        let result = try BoundedCommand.run(arguments, output: console, timeout: timeout, environment: tools.environment) {
            if bootSeconds == nil, FileManager.default.fileExists(atPath: booted) {
                bootSeconds = Date().timeIntervalSince(started)
                progress(String(format: "booted in %.1f s, running the labs", bootSeconds!))
            }
            if FileManager.default.fileExists(atPath: status) {
                // The labs are done; the guest powers off within seconds. One that does not is ended.
                finished = finished ?? Date()
                return Date().timeIntervalSince(finished!) > 30
            }
            if Date().timeIntervalSince(lastConsoleCheck) >= 1 {
                lastConsoleCheck = Date()
                for line in guestLog.newLines() { progress("guest: " + line) }
                panic = Self.tail(of: console, lines: 40).contains("Kernel panic")
            }
            return panic
        }
        let total = Date().timeIntervalSince(started)
        let tail = Self.tail(of: console, lines: 25)
        if panic {
            throw GuestError.boot(kernel: kernel.release, reason: "the kernel panicked after \(Int(total)) s", consoleTail: tail)
        }
        guard let statusText = try? String(contentsOfFile: status, encoding: .utf8),
              let exit = Int32(statusText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            let reason: String
            if result.timedOut {
                reason = bootSeconds == nil ? "did not boot within \(Int(timeout)) s (\(accelerator.rawValue))"
                    : "booted in \(Int(bootSeconds!)) s but the labs did not finish within \(Int(timeout)) s"
            } else {
                reason = bootSeconds == nil ? "vng exited (status \(result.status ?? -1)) before the guest ran anything"
                    : "the guest stopped before xdplab finished (no exit status in \(status))"
            }
            throw GuestError.boot(kernel: kernel.release, reason: reason + "; guest output: \(directory)/guest.log",
                                  consoleTail: tail)
        }
        let reports = try readReports(report, exit: exit, kernel: kernel, directory: directory)
        return GuestResult(kernel: kernel, accelerator: accelerator, bootSeconds: bootSeconds, totalSeconds: total,
                           reports: reports, status: exit, directory: directory)
    }

    /// The script the guest runs: note the boot, run xdplab with its JSON report in `directory`, write its exit
    /// status last. Clears what an earlier run left there.
    private func writeScript(directory: String, executable: String, runArguments: [String],
                             workingDirectory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let report = directory + "/report.json", status = directory + "/status", booted = directory + "/booted"
        for file in [report, status, booted] { try? FileManager.default.removeItem(atPath: file) }
        let quoted = ([executable, "run"] + runArguments + ["--json", report, "--captures", directory + "/captures"])
            .map(shellQuote).joined(separator: " ")
        let script = """
            #!/bin/sh
            uname -r > \(shellQuote(booted))
            cd \(shellQuote(workingDirectory)) || exit 1
            \(quoted) > \(shellQuote(directory + "/guest.log")) 2>&1
            echo $? > \(shellQuote(status))
            sync
            """
        let scriptPath = directory + "/guest.sh"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        return scriptPath
    }

    /// The labs' reports xdplab wrote in the guest; an error that shows its output when there is none.
    private func readReports(_ report: String, exit: Int32, kernel: CachedKernel, directory: String) throws -> [LabReport] {
        do {
            return try JSONReport.decode(String(decoding: Data(contentsOf: URL(fileURLWithPath: report)), as: UTF8.self)).labs
        } catch {
            throw GuestError.boot(kernel: kernel.release,
                                  reason: "xdplab exited with status \(exit) in the guest without a readable report (\(error)); "
                                      + "its output: \(directory)/guest.log",
                                  consoleTail: Self.tail(of: directory + "/guest.log", lines: 25))
        }
    }

    /// Boots the kernel with KVM and one trivial command: KVM counts as working only when that finishes within
    /// `timeout` seconds (here `/dev/kvm` opens, but a KVM guest hangs before the kernel prints anything).
    public func probeKVM(kernel: CachedKernel, directory: String, timeout: Double = 20) -> (works: Bool, reason: String) {
        guard FileManager.default.fileExists(atPath: "/dev/kvm") else { return (false, "no /dev/kvm") }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let marker = directory + "/kvm-ok"
        try? FileManager.default.removeItem(atPath: marker)
        let arguments = vngArguments(kernel, accelerator: .kvm, directory: directory, memory: "512M", cpus: 1,
                                     command: ["sh", "-c", "echo ok > \(shellQuote(marker))"])
        let started = Date()
        let result = try? BoundedCommand.run(arguments, output: directory + "/kvm-probe.log", timeout: timeout,
                                             environment: tools.environment) {
            FileManager.default.fileExists(atPath: marker)
        }
        let seconds = Date().timeIntervalSince(started)
        if FileManager.default.fileExists(atPath: marker) {
            return (true, String(format: "a KVM guest ran a command after %.1f s", seconds))
        }
        if result == nil { return (false, "vng could not be started") }
        return (false, "a KVM guest did not run a command within \(Int(timeout)) s")
    }

    static func tail(of path: String, lines: Int) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "(no output)" }
        let text = String(decoding: data.suffix(64 * 1024), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// The complete lines a growing file gained since the last call (the guest's xdplab progress, live).
struct GuestLogFollower {
    let path: String
    private var offset: UInt64 = 0

    init(path: String) { self.path = path }

    mutating func newLines() -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty,
              let end = data.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        let complete = data[data.startIndex...end]
        offset += UInt64(complete.count)
        return String(decoding: complete, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init)
    }
}

func shellQuote(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
