import Foundation
import Glibc
import Testing
import Evidence
import LabModel
import Orchestrator
import Realization
import SystemSupport
import Reports
import Verification
import TestSupport

/// The shipped command-stack labs (Labs/own-stack), shortened; they run the example stack that bootstrap builds.
private enum OwnStack {
    static let folder = Repository.root.appendingPathComponent("Labs/own-stack").path
    static let binary = Repository.root.appendingPathComponent("Examples/stack/build/xdp-example-stack").path
    static let built = FileManager.default.isExecutableFile(atPath: binary)

    static func lab(_ name: String, duration: Double = 3) throws -> Lab {
        var lab = try LabLoader.load(path: "\(folder)/\(name).yaml")
        lab.traffic.duration = duration
        lab.traffic.rounds = 2
        return lab
    }
}

private func alive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

private func summary(_ report: LabReport) -> String { TerminalReport.summary([report], color: false) }

@Suite("Command stacks: the team's own binary, judged from the kernel", .serialized,
       Probe.needs(tools: ["ip", "clang"], to: "build xdplab-<run>-* namespaces and load XDP"),
       .enabled(if: OwnStack.built, "the example stack is built by scripts/bootstrap (make -C Examples/stack)"))
struct CommandStackLabTests {
    @Test("the example stack passes all five checks, with redirect events as socket evidence; its process is gone after")
    func goodStackPasses() throws {
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        let report = run(try OwnStack.lab("example-stack"), captures: captures).report
        #expect(report.error == nil, "\(summary(report))")
        #expect(report.passed, "\(summary(report))")
        #expect(report.checks.count == 5)
        #expect(report.packets.xsk > 0 && report.packets.lost == 0)
        let evidence = try #require(report.evidence)
        #expect(evidence.socketArrivals == .redirectEventsByTime)
        #expect(evidence.tracepointsAttached)
        let redirected = evidence.redirects.reduce(0) { $0 + $1.count }
        #expect(redirected >= UInt64(report.packets.xsk), "every socket arrival rests on a redirect event")
        #expect(Set(evidence.redirects.map(\.mapIndex)).isSubset(of: [0, 1]))
        // Verdicts from fexit on what the command attached, or why not (EPERM on 6.18): said, never silent.
        let verdicts = try #require(report.verdicts)
        if let reason = verdicts.unavailable {
            #expect(reason.contains("fexit"), "\(reason)")
        } else {
            #expect(verdicts.recorded == report.packets.injected && verdicts.disagreements.isEmpty, "\(verdicts.headline)")
        }
        let process = try #require(evidence.stackProcess)
        #expect(process.exit == nil, "it ran to the end: \(process)")
        #expect(!alive(process.pid))
        if ReportSchema.validatorAvailable {
            #expect(try ReportSchema.violations(of: JSONReport.render([report])).isEmpty, "a command stack's report fits the schema")
        }
        #expect(try String(contentsOfFile: process.logPath, encoding: .utf8).contains("ready"))
        #expect(leftovers(of: report).isEmpty)
    }

    @Test("attach-first with flags 0: packets meet empty slots while traffic flows, as the lab declares")
    func attachFirstFlagsZero() throws {
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        let report = run(try OwnStack.lab("attach-first-flags-zero"), captures: captures).report
        #expect(report.passed, "the declared violations must be observed: \(summary(report))")
        let failed = try #require(checkResult("failed-redirects-pass", in: report))
        #expect(!failed.held)
        #expect(failed.offenders.allSatisfy { $0.observedFate == .lost }, "flags 0: an empty slot aborts")
        let window = try #require(report.evidence.flatMap { _ in failed.offenders.map(\.id).max() })
        #expect(window > 0)
        #expect(report.evidence?.exceptions.contains { $0.action == 0 && $0.count > 0 } == true)
        #expect(checkResult("matching-reach-xsk", in: report)?.held == true, "after registration the sockets get their packets")
        #expect(leftovers(of: report).isEmpty)
    }

    @Test("a second socket's program replacing the first fails matching-reach-xsk with the replacement named")
    func secondSocketReplaces() throws {
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        let report = run(try OwnStack.lab("second-socket-replaces"), captures: captures).report
        #expect(report.passed, "\(summary(report))")
        #expect(checkResult("matching-reach-xsk", in: report)?.held == false)
        let replacement = try #require(report.evidence?.replacements.first, "\(summary(report))")
        #expect(replacement.replaced.contains("id ") && replacement.replacedBy.contains("id "))
        #expect(replacement.replaced != replacement.replacedBy)
        #expect((replacement.at ?? 1) < 0, "it happened during start-up, before traffic")
        #expect(report.diagnosis.contains { $0.contains("replaced") && $0.contains(replacement.replacedBy) })
        #expect(leftovers(of: report).isEmpty)
    }

    @Test("a stack that exits mid-run is named with its exit status and the time; traffic went on")
    func exitMidRun() throws {
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        let report = run(try OwnStack.lab("stack-exits", duration: 4), captures: captures).report
        #expect(report.passed, "\(summary(report))")
        let process = try #require(report.evidence?.stackProcess)
        #expect(process.exit == "exited with status 3")
        let exitedAt = try #require(process.exitedAt)
        #expect(exitedAt > 1.5 && exitedAt < 3.5, "--exit-after 2 counts from its ready line: \(exitedAt)")
        let missed = try #require(checkResult("matching-reach-xsk", in: report))
        #expect(missed.offenders.allSatisfy { $0.observedFate == .kernel },
                "with the XDP_PASS fallback, a dead stack's packets go to the kernel")
        #expect(report.diagnosis.first?.hasPrefix("The stack's command (pid \(process.pid)) exited with status 3") == true)
        #expect(summary(report).contains("it exited with status 3 at"))
        #expect(leftovers(of: report).isEmpty)
    }

    @Test("a command that never becomes ready fails fast with what the kernel showed and its last output")
    func neverReady() throws {
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        var lab = try OwnStack.lab("example-stack")
        // A sleep no other process on this machine has (other runs share it): its pattern finds only ours.
        let nap = "60.\(UInt32.random(in: 100_000...999_999))"
        lab.stack.command = StackCommand(arguments: ["/bin/sh", "-c", "echo starting up; echo cannot find my NIC >&2; exec sleep \(nap)"],
                                         ready: 1, workingDirectory: "/")
        lab.stack.preflight = []
        let started = Date()
        let report = run(lab, captures: captures).report
        #expect(Date().timeIntervalSince(started) < 30, "waited for the command's 60 s sleep, not for its 1 s ready bound")
        let error = try #require(report.error)
        #expect(error.contains("not ready after 1s: attached program: none; sockets on queues: none"), "\(error)")
        #expect(error.contains("| cannot find my NIC"))
        #expect(error.contains("stack.log"), "the whole output's place is named")
        #expect(report.captureDirectory != nil, "a lab that could not run still points at its evidence folder")
        #expect(leftovers(of: report).isEmpty)
        #expect(try Command.run("pgrep", ["-f", "sleep \(nap)"]).stdout.isEmpty, "the sleeping command is gone")
    }

    @Test("a command that exits before it is ready fails at once with its status")
    func exitsBeforeReady() throws {
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        var lab = try OwnStack.lab("example-stack")
        lab.stack.command = StackCommand(arguments: ["/bin/sh", "-c", "echo no such queue; exit 7"], ready: 120,
                                         workingDirectory: "/")
        let started = Date()
        let report = run(lab, captures: captures).report
        #expect(Date().timeIntervalSince(started) < 60, "waited out the 120 s ready bound instead of noticing the exit")
        #expect(report.error?.contains("the command exited with status 7 before it was ready") == true, "\(report.error ?? "")")
        #expect(report.error?.contains("| no such queue") == true)
    }

    @Test("placeholders and environment are what the process sees, in the stack's namespace")
    func placeholdersAndEnvironment() throws {
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        let record = "\(captures)/seen.txt"
        let script = Repository.root.appendingPathComponent("Tests/KernelTests/Fixtures/command/record-and-run.sh").path
        var lab = try OwnStack.lab("example-stack", duration: 1)
        let example = try #require(lab.stack.command)
        lab.stack.command = StackCommand(arguments: [script, record] + example.arguments + ["--verbose"],
                                         workingDirectory: OwnStack.folder)
        lab.stack.ports = [8003, 8004, 8005, 9000]
        let report = run(lab, captures: captures).report
        #expect(report.error == nil, "\(summary(report))")
        let lines = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n").map(String.init)
        let arguments = lines.filter { $0.hasPrefix("arg ") }.map { String($0.dropFirst(4)) }
        let object = try #require(arguments.last { $0.hasSuffix(".o") })
        #expect(arguments == [OwnStack.binary, "--iface", "eth0", "--queues", "0,1", "--ports", "8003-8005,9000",
                              "--obj", object, "--verbose"])
        #expect(object.hasPrefix(try #require(report.captureDirectory)))
        let namespace = try #require(lines.first { $0.hasPrefix("netns ") }).dropFirst(6)
        #expect(namespace.hasPrefix("xdplab-") && namespace.hasSuffix("-validator"))
        #expect(lines.contains("cwd \(OwnStack.folder)"))
        for expected in ["env XDPLAB_INTERFACE=eth0", "env XDPLAB_QUEUES=0,1", "env XDPLAB_PORTS=8003-8005,9000",
                         "env XDPLAB_PROGRAM=\(object)", "env XDPLAB_NAMESPACE=\(namespace)",
                         "env XDPLAB_PEER_IPV4=198.18.0.2", "env XDPLAB_PEER_IPV6=2001:2::2"] {
            #expect(lines.contains(expected), "missing \(expected) in \(lines)")
        }
        #expect(lines.contains { $0.hasPrefix("env XDPLAB_RUN=") })
    }

    @Test("SIGINT while a command stack runs tears everything down, the command's process group included")
    func interruptEndsTheCommand() throws {
        let executable = Repository.executable
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build xdplab first: \(executable)")
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        let before = Set(ourNamespaces())
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["run", "\(OwnStack.folder)/example-stack.yaml", "--captures", captures]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Interrupt once the stack is ready and traffic flows: its log says ready, and the lab then starts sessions.
        var log: String?
        for _ in 0..<400 where log == nil {
            Thread.sleep(forTimeInterval: 0.05)
            let files = FileManager.default.enumerator(atPath: captures)?.compactMap { $0 as? String } ?? []
            if let path = files.first(where: { $0.hasSuffix("stack.log") }),
               let text = try? String(contentsOfFile: "\(captures)/\(path)", encoding: .utf8), text.contains("ready") {
                log = text
            }
        }
        let readyLine = try #require(log, "the stack never said it was ready")
        let appeared = Set(ourNamespaces()).subtracting(before)
        #expect(appeared.count == 2)
        let stackPIDs = appeared.flatMap { NamespaceMembers.pids(in: $0) }
        #expect(!stackPIDs.isEmpty, "the example stack runs inside the lab: \(readyLine)")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(Set(ourNamespaces()).intersection(appeared).isEmpty)
        #expect(stackPIDs.allSatisfy { !alive($0) }, "the command and its children were ended")
    }

    @Test("each outage lab fails once its bug is removed: the example stack's own command in its place",
          arguments: ["attach-first-flags-zero", "second-socket-replaces", "stack-exits"])
    func fixedStackFailsTheOutageLab(name: String) throws {
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        var lab = try OwnStack.lab(name)
        let fixed = try OwnStack.lab("example-stack")
        lab.stack.command?.arguments = try #require(fixed.stack.command).arguments
        let report = run(lab, captures: captures).report
        #expect(report.error == nil, "\(summary(report))")
        #expect(!report.passed, "a declared violation that the fixed stack does not commit must not be observed")
        #expect(report.checks.filter { !$0.passed }.allSatisfy { $0.expected == .violated },
                "only the declared violations go missing: \(summary(report))")
        #expect(leftovers(of: report).isEmpty)
    }

    @Test("xdplab clean ends the processes a killed run left inside its namespaces, then removes them")
    func cleanEndsLeftoverProcesses() throws {
        let run = Ownership.newRunID()
        let name = Ownership.namespaceName(run: run, host: "ghost")
        let record = "\(Ownership.recordDirectory)/\(run)"
        try RouteNetlink.addNamespace(name)
        defer {
            try? RouteNetlink.deleteNamespace(name)
            try? FileManager.default.removeItem(atPath: record)
        }
        // The run's process is gone (pid 2147483646 does not exist); what it started lives on in its namespace.
        try "pid 2147483646\nlab ghost\nnamespace \(name)\n".write(toFile: record, atomically: true, encoding: .utf8)
        let orphan = try NamespaceProcess.start(namespace: name, arguments: ["sleep", "60"], environment: [:],
                                                workingDirectory: "/", logPath: "/dev/null")
        // `ip netns exec` enters the namespace just after it starts.
        for _ in 0..<100 where NamespaceMembers.pids(in: name).isEmpty { usleep(20_000) }
        #expect(NamespaceMembers.pids(in: name) == [orphan.pid])
        let removals = Cleaner.removeLeftovers()
        #expect(removals.map(\.namespace).contains(name))
        #expect(orphan.waitForExit(timeout: 5) != nil, "the process inside was ended")
        #expect(!Ownership.existingNamespaces().contains(name))
    }
}
