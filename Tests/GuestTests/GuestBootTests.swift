import Foundation
import Testing
import Guests
import Reports
import Verification

/// Boots a cached Debian kernel under QEMU for real and runs a shortened gate lab inside it, next to the host.
@Suite("guest kernels: one real boot", .serialized)
struct GuestBootTests {
    /// The gate lab with one short round and no pre-flight (the program check takes minutes under TCG); the
    /// program comes compiled from the host (`program: X.o`) because clang is slow in an emulated guest.
    private func shortGate(in folder: String, program: String) throws -> String {
        let gate = try String(contentsOfFile: GuestProbe.repository + "/Labs/gate/validator-ports.yaml", encoding: .utf8)
        let short = gate
            .replacingOccurrences(of: "lab: validator-ports", with: "lab: validator-ports-short")
            .replacingOccurrences(of: "program: ../programs/port_redirect.bpf.c", with: "program: \(program)")
            .replacingOccurrences(of: "  duration: 6s\n  rounds: 4", with: "  duration: 3s\n  rounds: 1")
            .replacingOccurrences(of: "  preflight: [check]", with: "")
        #expect(short.contains("rounds: 1") && !short.contains("preflight") && short.contains(program))
        let path = folder + "/validator-ports-short.yaml"
        try short.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The incident whose program redirects every queue's packets to key 0, shortened the same way: its lost
    /// packets must be named with the verdict the program returned.
    private func shortIncident(in folder: String, program: String) throws -> String {
        let incident = try String(contentsOfFile: GuestProbe.repository + "/Labs/incidents/fixed-key-wrong-queue.yaml",
                                  encoding: .utf8)
        let short = incident
            .replacingOccurrences(of: "program: ../programs/incidents/fixed_key_redirect.bpf.c", with: "program: \(program)")
            .replacingOccurrences(of: "  duration: 4s\n  rounds: 3", with: "  duration: 3s\n  rounds: 1")
        #expect(short.contains("rounds: 1") && short.contains(program))
        let path = folder + "/fixed-key-wrong-queue.yaml"
        try short.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("the shortened gate lab and a buggy incident on the host and a guest kernel: checks as declared, XDP verdicts",
          .enabled(if: GuestProbe.ready, GuestProbe.reason), .timeLimit(.minutes(15)))
    func gateOnGuestAndHost() throws {
        let kernel = try #require(GuestProbe.kernel)
        let folder = NSTemporaryDirectory() + "xdplab-guest-test-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lab = try shortGate(in: folder, program: try GuestProbe.compileProgram(into: folder))
        let incident = try shortIncident(in: folder, program: try GuestProbe.compileProgram("Labs/programs/incidents/fixed_key_redirect.bpf.c",
                                                                                       into: folder))
        let namespacesBefore = Set((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? [])

        let arguments = ["run", "--kernel", "host", "--kernel", kernel.version, "--accel", "tcg", "--guest-timeout", "600",
                         "--captures", folder + "/captures",
                         "--json", folder + "/report.json", "--junit", folder + "/report.xml", lab, incident]
        let output = folder + "/output.txt"
        let result = try BoundedCommand.run([GuestProbe.xdplab] + arguments, output: output, timeout: 800)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(result.status == 0, "xdplab run: \(text)")

        let all = try JSONReport.decode(String(contentsOfFile: folder + "/report.json", encoding: .utf8)).labs
        #expect(all.map(\.kernel) == ["host", "host", kernel.release, kernel.release])
        let failed = all.filter { !$0.passed }.map { "\($0.lab) on \($0.kernel ?? "?"): \($0.error ?? "")" }
        #expect(failed.isEmpty, "\(failed)")
        let reports = all.filter { $0.lab == "validator-ports-short" }
        let incidents = all.filter { $0.lab == "fixed-key-wrong-queue" }
        try GuestVerdicts.expectGate(try #require(reports.last), text: text)
        try GuestVerdicts.expectIncident(try #require(incidents.last))
        for report in all { GuestVerdicts.expectSaid(report) }
        for report in reports {
            #expect(report.error == nil && report.skipped == nil, "\(report.kernel ?? ""): \(report.error ?? "")")
            #expect(report.checks.map(\.name) == ["non-matching-reach-kernel", "failed-redirects-pass", "matching-reach-xsk",
                                                  "ssh-survives", "no-xdp-exceptions"])
            #expect(report.passed, "\(report.kernel ?? ""): \(report.checks.filter { !$0.passed }.map { "\($0.name): \($0.detail)" })")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/report.json"))) as? [String: Any])
        let kernels = try #require(json["kernels"] as? [[String: Any]])
        #expect(kernels.map { $0["accelerator"] as? String } == ["host", "tcg"])
        #expect(kernels[1]["bootSeconds"] is Double)
        #expect(text.contains("lab × kernel:"))
        #expect(text.contains("validator-ports-short  PASS  PASS") && text.contains("fixed-key-wrong-queue  PASS  PASS"))
        let junit = try String(contentsOfFile: folder + "/report.xml", encoding: .utf8)
        #expect(junit.contains("<testsuite name=\"kernel \(kernel.release)\""))
        // Only this run's guests count (their --rwdir is under `folder`): other runs may boot guests meanwhile.
        #expect(GuestProbe.qemuProcesses(sharing: folder) == 0, "a qemu process outlived the run")
        // Only namespaces that appeared during this test count: other runs may share the machine.
        let left = Set((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []).subtracting(namespacesBefore)
        #expect(left.isEmpty, "namespaces left: \(left.sorted())")
    }

    @Test("a kernel that is not cached is a usage error naming the fetch command")
    func notCached() throws {
        let folder = NSTemporaryDirectory() + "xdplab-guest-nc-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = folder + "/out.txt"
        let result = try BoundedCommand.run([GuestProbe.xdplab, "run", "--kernel", "3.2", GuestProbe.repository + "/Labs/gate/validator-ports.yaml"],
                                            output: output, timeout: 60)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(result.status == 2)
        #expect(text.contains("kernel 3.2 is not in the cache") && text.contains("xdplab kernels fetch 3.2"))
    }
}
