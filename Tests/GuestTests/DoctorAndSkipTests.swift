import Foundation
import Glibc
import Testing
import Guests
import TestSupport

/// The command line end to end: `xdplab doctor`'s output shape, and a lab skipped for a missing requirement.
@Suite("doctor and requires: from the command line")
struct DoctorAndSkipTests {
    private func run(_ arguments: [String], timeout: Double = 120) throws -> (status: Int32?, text: String) {
        let folder = NSTemporaryDirectory() + "xdplab-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try BoundedCommand.run([GuestProbe.xdplab] + arguments, output: folder + "/out.txt", timeout: timeout)
        return (result.status, (try? String(contentsOfFile: folder + "/out.txt", encoding: .utf8)) ?? "")
    }

    @Test("doctor: one line per capability, yes or no, the requires name in brackets, a reason on each",
          Probe.needs(to: "run the probes, which load BPF programs and make a scratch namespace"))
    func doctorShape() throws {
        let (status, text) = try run(["doctor"])
        #expect(status == 0, "\(text)")
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("xdplab doctor: kernel ") == true)
        let names = ["root", "bpffs [bpffs]", "netdevsim [netdevsim]", "BPF_PROG_TEST_RUN [prog-test-run]",
                     "fexit on an XDP program [fexit]", "per-packet verdicts", "xdp tracepoints [xdp-tracepoints]",
                     "native XDP on veth", "AF_XDP copy mode", "AF_XDP zero-copy [zero-copy]",
                     "BPF_PROG_TEST_RUN live frames", "KVM [kvm]", "cached guest kernels", "guest tools"]
        for name in names {
            let line = lines.first { $0.dropFirst(7).hasPrefix(name + " ") }
            #expect(line != nil, "no line for \(name) in:\n\(text)")
            #expect(line.map { $0.hasPrefix("  yes  ") || $0.hasPrefix("  no   ") } == true)
        }
        // Verdicts rest on fexit: without it the verdict line says so; with it, a tagged test frame is read back.
        if lines.contains(where: { $0.hasPrefix("  no   fexit on an XDP program") }) {
            #expect(lines.contains { $0.hasPrefix("  no   per-packet verdicts") && $0.hasSuffix("need fexit on XDP programs") })
        } else {
            #expect(lines.contains { $0.hasPrefix("  yes  per-packet verdicts") && $0.contains("and tag 42 for a test frame tagged 42") })
        }
        // Checked on this machine's kernel: veth never does zero-copy, copy mode works.
        #expect(lines.contains { $0.hasPrefix("  no   AF_XDP zero-copy") })
        #expect(lines.contains { $0.hasPrefix("  yes  AF_XDP copy mode") })
        // Live frames exist since 5.18; every kernel xdplab runs on has them.
        #expect(lines.contains { $0.hasPrefix("  yes  BPF_PROG_TEST_RUN live frames") }, "\(text)")
        let namespaces = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        #expect(!namespaces.contains { $0.hasSuffix("-doctor") }, "doctor left a namespace: \(namespaces)")
    }

    @Test("a lab that requires netdevsim is skipped here: SKIP in the terminal, skipped in JSON and JUnit, exit status 4",
          .enabled(if: Probe.isRoot && !FileManager.default.fileExists(atPath: "/sys/bus/netdevsim"),
                   "needs root and a kernel without netdevsim"))
    func skipped() throws {
        let folder = NSTemporaryDirectory() + "xdplab-skip-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let gate = try String(contentsOfFile: GuestProbe.repository + "/Labs/gate/validator-ports.yaml", encoding: .utf8)
            .replacingOccurrences(of: "program: ../programs/", with: "program: \(GuestProbe.repository)/Labs/programs/")
        try (gate + "\nrequires: [netdevsim]\n").write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        let (status, text) = try run(["run", folder + "/lab.yaml", "--json", folder + "/r.json", "--junit", folder + "/r.xml",
                                      "--captures", folder + "/captures"])
        #expect(status == 4, "\(text)")
        #expect(text.contains("SKIP  validator-ports"))
        #expect(text.contains("skipped: requires netdevsim: /sys/bus/netdevsim is absent"))
        #expect(text.contains("0 of 0 labs passed, 1 skipped"))
        let json = try String(contentsOfFile: folder + "/r.json", encoding: .utf8)
        #expect(json.contains("\"skipped\" : \"requires netdevsim: /sys/bus/netdevsim is absent"))
        let junit = try String(contentsOfFile: folder + "/r.xml", encoding: .utf8)
        #expect(junit.contains("<skipped message=\"requires netdevsim"))
    }

    @Test("the shipped netdevsim lab (kind: netdevsim, no requires: key) is skipped here with the reason in all three reports",
          .enabled(if: Probe.isRoot && !FileManager.default.fileExists(atPath: "/sys/bus/netdevsim"),
                   "needs root and a kernel without netdevsim"))
    func netdevsimLabSkipped() throws {
        let folder = NSTemporaryDirectory() + "xdplab-netdevsim-skip-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lab = GuestProbe.repository + "/Labs/netdevsim/validator-ports.yaml"
        let (status, text) = try run(["run", lab, "--json", folder + "/r.json", "--junit", folder + "/r.xml",
                                      "--captures", folder + "/captures"])
        #expect(status == 4, "\(text)")
        let reason = "requires netdevsim: /sys/bus/netdevsim is absent (not built into this kernel; "
            + "scripts/build-guest-kernel builds a guest kernel with it)"
        #expect(text.contains("SKIP  netdevsim-validator-ports"))
        #expect(text.contains("skipped: " + reason))
        let json = try String(contentsOfFile: folder + "/r.json", encoding: .utf8)
        #expect(json.contains("\"skipped\" : \"" + reason))
        let junit = try String(contentsOfFile: folder + "/r.xml", encoding: .utf8)
        #expect(junit.contains("<skipped message=\"" + reason))
    }
}
