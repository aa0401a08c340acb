import Foundation
import Glibc
import Testing
import TestSupport

/// Root and the tools a real lab needs; probed once, shown as the skip reason otherwise.
enum LabMachine {
    static let ready = Probe.has(tools: ["ip", "clang"])
    static let reason: Comment = "needs root, iproute2 and clang to build xdplab-<run>-* namespaces and load XDP"

    static let exampleStack = RepositoryPaths.path("Examples/stack/build/xdp-example-stack")
    static let exampleStackBuilt = FileManager.default.isExecutableFile(atPath: exampleStack)

    /// Our namespaces of one run, as `ip netns` shows them.
    static func namespaces(ofRun run: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        return names.filter { $0.hasPrefix("xdplab-\(run)-") }.sorted()
    }

    /// True while the process exists and is not a zombie waiting for a parent that does not reap.
    static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
    }
}

func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text.prefix(300))")
}

func expectSchemaValid(_ json: String) throws {
    guard ReportSchema.validatorAvailable else { return }
    let violations = try ReportSchema.violations(of: json)
    #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
}

@Suite("xdplab run and check on the kernel: exit statuses, reports on standard output, interruption", .serialized,
       .enabled(if: LabMachine.ready, LabMachine.reason))
struct RunCommandTests {
    static let gate = "Labs/gate/validator-ports.yaml"
    static let noXSKMap = RepositoryPaths.path("Tests/KernelTests/Fixtures/no_xskmap.bpf.c")

    init() throws {
        try #require(XDPLabCommand.isBuilt, "build the xdplab executable first (swift build): \(XDPLabCommand.executable) is missing")
    }

    @Test("a lab's kernels: list takes the run through the kernel matrix: the lab × kernel table, kernel on each result")
    func declaredKernels() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let declared = try XDPLabCommand.labCopy(of: Self.gate, name: "declared-host", in: folder, preflight: false)
        try (String(contentsOfFile: declared, encoding: .utf8) + "\nkernels: [host]\n")
            .write(toFile: declared, atomically: true, encoding: .utf8)
        let plain = try XDPLabCommand.labCopy(of: Self.gate, name: "plain", in: folder, preflight: false)
        let result = try XDPLabCommand.run(["run", declared, plain, "--json", "-", "--captures", folder])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("lab × kernel"), "\(result.stderr)")
        let document = try jsonObject(result.stdout)
        let labs = try #require(document["labs"] as? [[String: Any]])
        #expect(labs.map { $0["lab"] as? String } == ["declared-host", "plain"], "both run on the host, in the order given")
        #expect(labs.allSatisfy { $0["kernel"] as? String == "host" })
        try expectSchemaValid(result.stdout)
    }

    @Test("--matrix runs each row's labs on its kernels; a bad matrix file is bad input with its line and column")
    func matrixFile() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: "\(folder)/labs", withIntermediateDirectories: true)
        _ = try XDPLabCommand.labCopy(of: Self.gate, name: "row-one", in: "\(folder)/labs", preflight: false)
        _ = try XDPLabCommand.labCopy(of: Self.gate, name: "row-two", in: "\(folder)/labs", preflight: false)
        let matrix = "\(folder)/labs/kernels.matrix.yaml"
        try "matrix:\n  - {labs: [row-one.yaml], kernels: [host]}\n  - {labs: [.], kernels: [host]}\n"
            .write(toFile: matrix, atomically: true, encoding: .utf8)
        let result = try XDPLabCommand.run(["run", "--matrix", matrix, "--json", "-", "--captures", folder])
        #expect(result.status == 0, "\(result.stderr)")
        let labs = try #require(try jsonObject(result.stdout)["labs"] as? [[String: Any]])
        #expect(labs.map { $0["lab"] as? String } == ["row-one", "row-two"], "each lab once, the folder's matrix file skipped")
        #expect(labs.allSatisfy { $0["kernel"] as? String == "host" })

        try "matrix:\n  - {labs: [nowhere.yaml], kernels: [host, sid]}\n".write(toFile: matrix, atomically: true, encoding: .utf8)
        let bad = try XDPLabCommand.run(["run", "--matrix", matrix, "--captures", folder])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("kernels.matrix.yaml:2:13: error: no lab file or folder at"), "\(bad.stderr)")
        #expect(bad.stderr.contains("kernels.matrix.yaml:2:44: error: kernel 'sid' is neither host nor a version"), "\(bad.stderr)")
    }

    @Test("a program without xsks_map is bad input (2) from run, with and without the pre-flight check, as from check")
    func programContract() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let unchecked = try XDPLabCommand.labCopy(of: Self.gate, name: "unchecked", in: folder, preflight: false)
        for lab in [RepositoryPaths.path(Self.gate), unchecked] {
            let result = try XDPLabCommand.run(["run", lab, "--program", Self.noXSKMap, "--json", "-", "--captures", folder, "--verbose"])
            #expect(result.status == 2, "\(result.stderr)")
            let document = try jsonObject(result.stdout)
            let report = try #require((document["labs"] as? [[String: Any]])?.first)
            #expect(report["errorKind"] as? String == "bad-input")
            #expect((report["error"] as? String)?.contains("xsks_map") == true)
            #expect(result.stderr.contains("ERROR"), "the summary goes to standard error when the JSON takes standard output")
            #expect(result.stderr.contains("$ clang "), "--verbose shows the tools xdplab runs: \(result.stderr)")
            try expectSchemaValid(result.stdout)
        }
        let check = try XDPLabCommand.run(["check", Self.noXSKMap])
        #expect(check.status == 2)
        #expect(check.stderr.contains("xsks_map"))
    }

    @Test("check: 0 clean, 1 violations; --json - and --junit - put the report on standard output")
    func checkStatuses() throws {
        let reference = RepositoryPaths.path("Labs/programs/port_redirect.bpf.c")
        let clean = try XDPLabCommand.run(["check", reference, "--queues", "2"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("196,849 frames × 2 queues, × 2 states"), "every sweep value on every queue: \(clean.stdout)")
        let flagsZero = RepositoryPaths.path("Labs/programs/incidents/redirect_flags0.bpf.c")
        let json = try XDPLabCommand.run(["check", flagsZero, "--queues", "2", "--json", "-"])
        #expect(json.status == 1)
        #expect((try jsonObject(json.stdout)["check"] as? [String: Any])?["passed"] as? Bool == false)
        #expect(!json.stderr.isEmpty, "the terminal report goes to standard error")
        let junit = try XDPLabCommand.run(["check", flagsZero, "--queues", "2", "--junit", "-"])
        #expect(junit.status == 1)
        #expect(junit.stdout.hasPrefix("<?xml"))
    }

    @Test("check --spread-sweeps: each sweep value on one queue, and both reports say so")
    func checkSpreadSweeps() throws {
        let reference = RepositoryPaths.path("Labs/programs/port_redirect.bpf.c")
        let spread = try XDPLabCommand.run(["check", reference, "--queues", "2", "--spread-sweeps", "--json", "-"])
        #expect(spread.status == 0, "\(spread.stderr)")
        let body = try #require(try jsonObject(spread.stdout)["check"] as? [String: Any])
        #expect(body["spreadFrames"] as? Int == 3 * 65536)
        #expect(body["runs"] as? Int == ((body["frames"] as? Int ?? 0) - 3 * 65536) * 2 * 2 + 3 * 65536 * 2)
        #expect(spread.stderr.contains("196,608 sweep values spread over the queues"), "\(spread.stderr)")
    }

    @Test("SIGTERM mid-run: exit 143, reports with the lab that finished and the interrupted one; a live run is not destroyed")
    func interruptedReports() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let labs = "\(folder)/labs"
        try FileManager.default.createDirectory(atPath: labs, withIntermediateDirectories: true)
        _ = try XDPLabCommand.labCopy(of: Self.gate, name: "first-lab", in: labs)
        _ = try XDPLabCommand.labCopy(of: Self.gate, name: "second-lab", duration: "8s", rounds: 4, in: labs)
        let captures = "\(folder)/captures", json = "\(folder)/report.json", junit = "\(folder)/report.xml"
        // One by one in this process (--jobs 1): its progress is live and the run is this process's; a parallel
        // run's interruption is ParallelRunTests'.
        let running = try XDPLabCommand.start(["run", labs, "--jobs", "1", "--json", json, "--junit", junit,
                                               "--captures", captures])

        // The second lab names its run id when it starts; it is under way once it reports injected frames.
        let announced = running.waitForErrorLine(timeout: 120) {
            $0.hasPrefix("[second-lab") && $0.contains("] run ") && $0.contains(": evidence goes to")
        }
        let runLine = try #require(announced, "the second lab never started")
        let run = try #require(runLine.split(separator: "] run ").last?.prefix(6)).description
        let injecting = running.waitForErrorLine(timeout: 120) { line in
            guard line.hasPrefix("[second-lab"), let range = line.range(of: "] inject: ") else { return false }
            return (Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0) > 0
        }
        try #require(injecting != nil, "the second lab never reported injected frames")

        let list = try XDPLabCommand.run(["list"])
        let row = try #require(list.stdout.split(separator: "\n").first { $0.hasPrefix(run) }, "\(list.stdout)")
        #expect(row.contains("second-lab") && row.contains("live") && row.contains(" \(running.pid) "), "\(row)")
        let refused = try XDPLabCommand.run(["destroy", run])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("run \(run) is live: process \(running.pid)"), "\(refused.stderr)")
        #expect(!LabMachine.namespaces(ofRun: run).isEmpty)

        running.signal(SIGTERM)
        let result = running.finish()
        #expect(result.status == 143, "\(result.stderr.suffix(2000))")
        #expect(LabMachine.namespaces(ofRun: run).isEmpty)

        let text = try String(contentsOfFile: json, encoding: .utf8)
        let document = try jsonObject(text)
        #expect(document["interruptedBy"] as? String == "SIGTERM")
        let reports = try #require(document["labs"] as? [[String: Any]])
        #expect(reports.map { $0["lab"] as? String } == ["first-lab", "second-lab"])
        #expect(reports.first?["error"] is NSNull)
        #expect(reports.last?["error"] as? String == "interrupted by SIGTERM")
        #expect(reports.last?["errorKind"] as? String == "interrupted")
        #expect((reports.last?["captureDirectory"] as? String)?.hasSuffix(run) == true)
        try expectSchemaValid(text)

        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("<testsuite name=\"second-lab\" tests=\"1\" failures=\"0\" errors=\"1\""))
        #expect(xml.contains("<error message=\"interrupted by SIGTERM\" type=\"interrupted\">"))
        #expect(xml.contains("<testsuite name=\"first-lab\" tests=\"5\""))
    }

    /// Runs one lab with --keep and returns the run id the instructions name, after checking the instructions.
    private func keep(_ lab: String, captures: String) throws -> (run: String, output: String) {
        let result = try XDPLabCommand.run(["run", lab, "--keep", "--quiet", "--captures", captures])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr.suffix(3000))")
        #expect(!result.stderr.contains("] "), "--quiet: no progress lines: \(result.stderr.prefix(500))")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("kept: run ") }, "\(result.stdout)")
        let run = String(line.dropFirst("kept: run ".count).prefix(6))
        #expect(result.stdout.contains("ip netns exec xdplab-\(run)-validator bash"))
        #expect(result.stdout.contains("ip netns exec xdplab-\(run)-peer bash"))
        #expect(result.stdout.range(of: #"XDP program: +id \d+ '"#, options: .regularExpression) != nil, "\(result.stdout)")
        #expect(result.stdout.contains("bpftool prog show id"))
        #expect(result.stdout.contains(".pcap"))
        #expect(result.stdout.range(of: "take it down: +xdplab destroy \(run)", options: .regularExpression) != nil)
        return (run, result.stdout)
    }

    /// `xdplab list`'s row for a run, if it shows one.
    private func listed(_ run: String) throws -> String? {
        let list = try XDPLabCommand.run(["list"])
        #expect(list.status == 0)
        return list.stdout.split(separator: "\n").first { $0.hasPrefix(run) }.map(String.init)
    }

    @Test("--keep leaves the built-in stack's lab up with its program attached; clean leaves it; destroy leaves nothing")
    func keepBuiltIn() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lab = try XDPLabCommand.labCopy(of: Self.gate, name: "kept-lab", in: folder)
        let (run, output) = try keep(lab, captures: folder)
        #expect(output.contains("the built-in stack's AF_XDP sockets lived in this xdplab process"))
        defer { _ = try? XDPLabCommand.run(["destroy", run]) }

        #expect(LabMachine.namespaces(ofRun: run) == ["xdplab-\(run)-peer", "xdplab-\(run)-validator"])
        let link = try XDPLabCommand.runTool("ip", ["-n", "xdplab-\(run)-validator", "link", "show", "dev", "eth0"])
        #expect(link.contains("xdp"), "the program stays attached: \(link)")
        let row = try #require(try listed(run))
        #expect(row.contains("kept-lab") && row.contains("kept"), "\(row)")

        let clean = try XDPLabCommand.run(["clean"])
        #expect(clean.status == 0)
        #expect(clean.stdout.contains("left kept run \(run) (lab kept-lab) up"), "\(clean.stdout)")
        #expect(LabMachine.namespaces(ofRun: run).count == 2)

        let destroyed = try XDPLabCommand.run(["destroy", run])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(destroyed.stdout.contains("removed xdplab-\(run)-validator"))
        #expect(LabMachine.namespaces(ofRun: run).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/run/xdplab/runs/\(run)"))
        #expect(try listed(run) == nil)
        #expect(try XDPLabCommand.run(["destroy", run]).status == 2, "a run that is gone is unknown")
    }

    @Test("--keep leaves a command stack running with its program and sockets; destroy ends it and leaves nothing",
          .enabled(if: LabMachine.exampleStackBuilt, "the example stack is built by scripts/bootstrap (make -C Examples/stack)"))
    func keepCommandStack() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lab = try XDPLabCommand.labCopy(of: "Labs/own-stack/example-stack.yaml", name: "kept-command", in: folder)
        let (run, output) = try keep(lab, captures: folder)
        defer { _ = try? XDPLabCommand.run(["destroy", run]) }
        let pidText = try #require(output.range(of: #"the stack command \(pid \d+\)"#, options: .regularExpression).map { output[$0] })
        let pid = try #require(Int32(pidText.filter(\.isNumber)))
        #expect(LabMachine.alive(pid), "the stack keeps running after xdplab exits")
        let namespace = try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)
        #expect(namespace.contains("xdp-example-stack"))
        #expect(try listed(run)?.contains("kept") == true)

        let destroyed = try XDPLabCommand.run(["destroy", run])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        for _ in 0..<40 where LabMachine.alive(pid) { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!LabMachine.alive(pid), "destroy ends the processes inside the lab's namespaces")
        #expect(LabMachine.namespaces(ofRun: run).isEmpty)
        #expect(try listed(run) == nil)
    }
}
