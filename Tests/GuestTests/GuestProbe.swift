import Foundation
import Glibc
import Guests
import Testing
import TestSupport

/// What a real guest boot needs, probed once: root, a cached kernel, virtme-ng, qemu, busybox, kmod, clang.
enum GuestProbe {
    static let cache = KernelCache.standard
    static let kernel = cache.list().last
    static let tools = GuestTools.find(cache: cache)

    /// nil when a guest can boot here; otherwise why not, in words a reader sees in the skip.
    static let missing: String? = {
        if !Probe.isRoot { return "needs root" }
        guard kernel != nil else { return "no guest kernel cached in \(cache.kernelsDirectory) (run: xdplab kernels fetch 6.1)" }
        if !tools.missing.isEmpty { return "guest tools missing: " + tools.missing.joined(separator: "; ") }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/clang") { return "needs clang to compile the lab's program" }
        return nil
    }()

    static var ready: Bool { missing == nil }
    static var reason: Comment { Comment(rawValue: missing ?? "ready") }

    /// The repository, from this file's path.
    static let repository = RepositoryPaths.root.path

    /// The xdplab binary built beside this test bundle (`swift build` builds both into one folder).
    static var xdplab: String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().path + "/xdplab"
    }

    /// A lab program compiled on the host into `folder` (clang takes about 50 s in an emulated guest;
    /// `xdplab run --program` and a lab's `program:` take the object instead).
    static func compileProgram(_ source: String = "Labs/programs/port_redirect.bpf.c", into folder: String) throws -> String {
        let output = folder + "/" + URL(fileURLWithPath: source).lastPathComponent.replacingOccurrences(of: ".c", with: ".o")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/clang")
        process.arguments = ["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c",
                             repository + "/" + source, "-o", output]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return output
    }

    /// qemu processes right now (to prove a test left none behind); with `sharing`, only those whose command line
    /// names that folder (the test's own `--rwdir`), since other runs may boot guests on the same machine.
    static func qemuProcesses(sharing folder: String? = nil) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.filter { pid in
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            guard comm.hasPrefix("qemu-system") else { return false }
            guard let folder else { return true }
            let arguments = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            return String(decoding: arguments, as: UTF8.self).contains(folder)
        }.count
    }
}
