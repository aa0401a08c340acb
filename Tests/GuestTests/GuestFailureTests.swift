import Foundation
import Glibc
import Testing
import Guests
import TestSupport

/// A guest that cannot boot is an error with the console's tail, within the bound, and leaves no qemu behind.
@Suite("guest kernels: failures are bounded errors")
struct GuestFailureTests {
    @Test("a kernel image that is not a kernel: an error naming the kernel and the console tail, no qemu left",
          .enabled(if: GuestProbe.tools.missing.isEmpty && Probe.isRoot, "needs root and virtme-ng, qemu, busybox, kmod"),
          .timeLimit(.minutes(2)))
    func bogusKernel() throws {
        let root = NSTemporaryDirectory() + "xdplab-bogus-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = KernelCache(root: root)
        let kernel = CachedKernel(version: "6.1.0-99", release: "6.1.0-99-amd64", package: "none", packageVersion: "0",
                                  fetchedAt: "2026-01-01T00:00:00Z", vmlinuz: "boot/vmlinuz-6.1.0-99-amd64", modules: 0,
                                  decompressedModules: 0)
        try FileManager.default.createDirectory(atPath: cache.directory(of: kernel.version) + "/boot", withIntermediateDirectories: true)
        try Data(repeating: 0x90, count: 4096).write(to: URL(fileURLWithPath: cache.vmlinuz(of: kernel)))
        let qemuBefore = GuestProbe.qemuProcesses()
        let started = Date()
        #expect {
            try GuestBoot(tools: GuestProbe.tools, cache: cache).runLabs(
                kernel: kernel, accelerator: .tcg, directory: root + "/out", executable: "/bin/true", runArguments: [],
                workingDirectory: "/", timeout: 40)
        } throws: { error in
            guard case GuestError.boot(let name, let reason, let tail) = error else { return false }
            return name == "6.1.0-99-amd64" && !reason.isEmpty && !tail.isEmpty
        }
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(GuestProbe.qemuProcesses() <= qemuBefore, "a qemu process outlived the failed boot")
    }
}
