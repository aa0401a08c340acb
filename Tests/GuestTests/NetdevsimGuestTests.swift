import Foundation
import Testing
import Guests
import Reports
import Verification

/// Boots the netdevsim guest kernel that scripts/build-guest-kernel built and runs every lab of Labs/netdevsim/ inside it.
///
/// By hand only: the kernel takes the better part of an hour to build on two shared cores, which CI cannot spend,
/// and CI (as root) fails on any skipped test except those whose reason begins "by hand:". Run it with
/// `XDPLAB_NETDEVSIM_GUEST=1 swift test --filter NetdevsimGuestTests` after the build.
@Suite("netdevsim guest kernel: Labs/netdevsim in a real boot (by hand)", .serialized)
struct NetdevsimGuestTests {
    static let release = "6.12.117-netdevsim"
    static let kernel = GuestProbe.cache.list().first { $0.release == release }

    static let missing: String? = {
        guard ProcessInfo.processInfo.environment["XDPLAB_NETDEVSIM_GUEST"] == "1" else {
            return "by hand: set XDPLAB_NETDEVSIM_GUEST=1 after scripts/build-guest-kernel (too slow to build in CI)"
        }
        if let problem = GuestProbe.missing { return problem }
        return kernel == nil ? "kernel \(release) is not cached: build it with scripts/build-guest-kernel" : nil
    }()

    @Test("Labs/netdevsim/ passes in the netdevsim guest: generic XDP and copy-mode AF_XDP, every traffic class and a sequence",
          .enabled(if: missing == nil, Comment(rawValue: missing ?? "ready")), .timeLimit(.minutes(20)))
    func validatorPortsInGuest() throws {
        let kernel = try #require(Self.kernel)
        let folder = NSTemporaryDirectory() + "xdplab-netdevsim-guest-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let program = try GuestProbe.compileProgram(into: folder)
        let qemuBefore = GuestProbe.qemuProcesses()
        let arguments = ["run", "--kernel", kernel.version, "--accel", "tcg", "--guest-timeout", "900", "--program", program,
                         "--captures", folder + "/captures", "--json", folder + "/report.json",
                         GuestProbe.repository + "/Labs/netdevsim/"]
        let result = try BoundedCommand.run([GuestProbe.xdplab] + arguments, output: folder + "/output.txt", timeout: 1000)
        let text = (try? String(contentsOfFile: folder + "/output.txt", encoding: .utf8)) ?? ""
        #expect(result.status == 0, "xdplab run: \(text)")
        let reports = try JSONReport.decode(String(contentsOfFile: folder + "/report.json", encoding: .utf8)).labs
        #expect(Set(reports.map(\.kernel)) == [kernel.release])
        #expect(reports.count == 2, "one report per lab of Labs/netdevsim/")
        for report in reports {
            #expect(report.error == nil && report.skipped == nil, "\(report.error ?? report.skipped ?? "")")
            #expect(report.passed, "\(report.checks.filter { !$0.passed }.map { "\($0.name): \($0.detail)" })")
        }
        #expect(GuestProbe.qemuProcesses() <= qemuBefore, "a qemu process outlived the run")
    }
}
