import Foundation
import Glibc
import Testing
import BPFSupport
import LabModel
import Orchestrator
import Realization
import SystemSupport
import Reports
import Verification
import TestSupport

/// The shipped lab and program these tests run.
enum Repository {
    static let root = RepositoryPaths.root
    static let gateLab = RepositoryPaths.path("Labs/gate/validator-ports.yaml")
    static let programsFolder = RepositoryPaths.path("Labs/programs")
    static let referenceProgram = RepositoryPaths.path("Labs/programs/port_redirect.bpf.c")
    /// The built `xdplab` executable, beside the test bundle in the build folder.
    static var executable: String { XDPLabCommand.executable }
}

/// The reference program with exactly one bug put in, so each test shows what one mistake does.
private enum BuggyProgram {
    /// `bpf_redirect_map(…, 0)`: an empty XSKMAP slot gives XDP_ABORTED instead of passing to the kernel.
    case flagsZero
    /// Drops every ARP frame before anything else.
    case dropsARP

    func write(to directory: String) throws -> String {
        var source = try String(contentsOfFile: Repository.referenceProgram, encoding: .utf8)
        let (original, replacement): (String, String)
        switch self {
        case .flagsZero:
            (original, replacement) = ("ctx->rx_queue_index, XDP_PASS);", "ctx->rx_queue_index, 0);")
        case .dropsARP:
            (original, replacement) = ("    struct udphdr *udp = claimable_udp(data, data_end);",
                                       """
                                           struct ethhdr *eth = data;
                                           if ((void *)(eth + 1) <= data_end && eth->h_proto == bpf_htons(ETH_P_ARP))
                                               return XDP_DROP;
                                           struct udphdr *udp = claimable_udp(data, data_end);
                                       """)
        }
        guard source.contains(original) else {
            throw SystemError("put the \(self) bug into port_redirect.bpf.c: the line it replaces is gone", errno: ENOENT)
        }
        source = source.replacingOccurrences(of: original, with: replacement)
            .replacingOccurrences(of: "#include \"include/", with: "#include \"\(Repository.programsFolder)/include/")
        let path = "\(directory)/\(self).bpf.c"
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// `Fixtures/careless_claim.bpf.c` built with one parser shortcut, and the traffic classes whose frames it then
/// claims although the contract leaves them to the kernel.
enum ParserShortcut: String, CaseIterable, Sendable {
    case none
    case skipsVLANTags
    case skipsExtensionHeaders
    case ignoresFragments
    case checksOnlyPorts
    case portSpan

    static let source = Repository.root.appendingPathComponent("Tests/KernelTests/Fixtures/careless_claim.bpf.c").path

    var defines: [String: String] {
        switch self {
        case .none: return [:]
        case .skipsVLANTags: return ["SKIPS_VLAN_TAGS": "1"]
        case .skipsExtensionHeaders: return ["SKIPS_EXTENSION_HEADERS": "1"]
        case .ignoresFragments: return ["IGNORES_FRAGMENTS": "1"]
        case .checksOnlyPorts: return ["CHECKS_ONLY_PORTS": "1"]
        case .portSpan: return ["PORT_SPAN_LOW": "8003", "PORT_SPAN_HIGH": "8010"]
        }
    }

    /// The span needs two ranges of validator ports to have a gap between them.
    var ports: [UInt16] { self == .portSpan ? [8003, 8004, 8005, 8010] : [8003, 8004, 8005] }

    var claimedClasses: Set<String> {
        switch self {
        case .none: return []
        case .skipsVLANTags: return ["vlan-tagged", "qinq"]
        case .skipsExtensionHeaders: return ["ipv6-ext-headers"]
        case .ignoresFragments: return ["ipv4-fragments", "ipv6-fragments"]
        case .checksOnlyPorts: return ["truncated"]
        // The near misses 8006 and 8009 lie in the gap; ipv4-options sends its decoy to the near misses in
        // turn, 8006 in the second round.
        case .portSpan: return ["other-udp4", "other-udp6", "ipv4-options"]
        }
    }

    func object(in directory: String) throws -> String {
        try BPFCompiler.object(for: Self.source, outputDirectory: "\(directory)/\(self)", defines: defines)
    }
}

func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-e2e-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The shipped gate lab, shortened so the suite stays quick; its topology, stack and checks are unchanged.
/// Without its pre-flight check, so that buggy programs really get deployed and caught by the lab itself.
private func shortGateLab() throws -> Lab {
    var lab = try LabLoader.load(path: Repository.gateLab)
    lab.traffic.duration = 3
    lab.traffic.rounds = 2
    lab.stack.preflight = []
    return lab
}

func ourNamespaces() -> [String] {
    Ownership.existingNamespaces().filter { Ownership.runID(ofNamespace: $0) != nil }
}

func run(_ lab: Lab, program: String? = nil, captures: String) -> LabOutcome {
    LabRunner.run(lab, options: RunOptions(programOverride: program, capturesDirectory: captures,
                                           progress: { _ in .silent }))
}

/// Namespaces still present of the run that wrote this report (its run id ends the capture folder's name).
func leftovers(of report: LabReport) -> [String] {
    guard let folder = report.captureDirectory, let run = folder.split(separator: "-").last.map(String.init) else { return ["?"] }
    return Ownership.existingNamespaces().filter { Ownership.runID(ofNamespace: $0) == run }
}

func checkResult(_ name: String, in report: LabReport) -> CheckResult? {
    report.checks.first { $0.name == name }
}

@Suite("A lab, end to end", .serialized,
       Probe.needs(tools: ["ip", "clang"], to: "build xdplab-<run>-* namespaces and load XDP"))
struct LabEndToEndTests {
    @Test("the reference program passes every check of the gate lab, and the lab is gone afterwards")
    func referencePasses() throws {
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        let outcome = run(try shortGateLab(), captures: captures)
        let report = outcome.report
        #expect(report.error == nil)
        #expect(report.passed, "\(TerminalReport.summary([report], color: false))")
        #expect(report.checks.map(\.name).sorted() == ["failed-redirects-pass", "matching-reach-xsk", "no-xdp-exceptions",
                                                       "non-matching-reach-kernel", "ssh-survives"])
        #expect(report.packets.lost == 0)
        #expect(report.packets.xsk > 0)
        #expect(report.packets.injected == report.packets.kernel + report.packets.xsk)
        #expect(report.sessions.count == 4)
        // Verdicts from fexit on the stack's program, or why not (EPERM on 6.18): said, never silent.
        let verdicts = try #require(report.verdicts)
        if let reason = verdicts.unavailable {
            #expect(reason.contains("fexit"), "\(reason)")
        } else {
            #expect(verdicts.recorded == report.packets.injected && verdicts.disagreements.isEmpty, "\(verdicts.headline)")
        }
        #expect(checkResult("ssh-survives", in: report)?.detail.contains("neighbours were re-resolved") == true,
                "neighbour entries must expire and be resolved again during the run")
        #expect(leftovers(of: report).isEmpty)
        let pcap = try FileManager.default.contentsOfDirectory(atPath: report.captureDirectory ?? "")
        #expect(pcap.contains { $0.hasSuffix(".pcap") })
        #expect(pcap.contains("report.json"))
    }

    @Test("redirect flags 0 fail failed-redirects-pass with xdp_exception evidence; nothing is left behind")
    func flagsZeroFails() throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let outcome = run(try shortGateLab(), program: try BuggyProgram.flagsZero.write(to: work), captures: work)
        let report = outcome.report
        #expect(!report.passed)
        let failed = try #require(checkResult("failed-redirects-pass", in: report))
        #expect(!failed.held)
        #expect(failed.offenders.allSatisfy { $0.queue == 2 || $0.queue == 3 })
        #expect(failed.detail.contains("xdp_exception"))
        #expect(checkResult("no-xdp-exceptions", in: report)?.held == false)
        #expect(checkResult("non-matching-reach-kernel", in: report)?.held == true)
        #expect(checkResult("matching-reach-xsk", in: report)?.held == true)
        #expect(report.diagnosis.contains { $0.contains("flags") })
        #expect(leftovers(of: report).isEmpty)
    }

    @Test("a program that drops ARP fails: ARP never reaches the kernel and sessions stall once neighbours re-resolve")
    func dropsARPFails() throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let outcome = run(try shortGateLab(), program: try BuggyProgram.dropsARP.write(to: work), captures: work)
        let report = outcome.report
        #expect(!report.passed)
        let nonMatching = try #require(checkResult("non-matching-reach-kernel", in: report))
        #expect(!nonMatching.held)
        #expect(!nonMatching.offenders.isEmpty)
        #expect(nonMatching.offenders.allSatisfy { $0.trafficClass == "arp" })
        #expect(checkResult("ssh-survives", in: report)?.held == false)
        #expect(leftovers(of: report).isEmpty)
    }

    @Test("a program that claims a shape the contract leaves to the kernel fails non-matching-reach-kernel, naming the class",
          arguments: ParserShortcut.allCases)
    func parserShortcutFails(_ shortcut: ParserShortcut) throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        var lab = try shortGateLab()
        lab.stack.ports = shortcut.ports
        let report = run(lab, program: try shortcut.object(in: work), captures: work).report
        #expect(report.error == nil)
        let nonMatching = try #require(checkResult("non-matching-reach-kernel", in: report))
        #expect(Set(nonMatching.offenders.map(\.trafficClass)) == shortcut.claimedClasses)
        #expect(nonMatching.offenders.allSatisfy { $0.observedFate != .kernel })
        for trafficClass in shortcut.claimedClasses {
            #expect(nonMatching.detail.contains("\(trafficClass) on queue"), "\(trafficClass)")
        }
        if shortcut == .portSpan {
            #expect(nonMatching.offenders.allSatisfy { $0.flow.contains(":8006") || $0.flow.contains(":8009") })
        }
        // Only the claim is wrong: nothing is dropped and every validator packet still goes where it must.
        #expect(report.passed == shortcut.claimedClasses.isEmpty, "\(TerminalReport.summary([report], color: false))")
        #expect(report.checks.filter { !$0.held }.map(\.name) == (shortcut == .none ? [] : ["non-matching-reach-kernel"]))
        #expect(report.packets.lost == 0)
        #expect(leftovers(of: report).isEmpty)
    }

    @Test("SIGINT during traffic tears the lab down and exits 130")
    func interruptTearsDown() throws {
        try #require(XDPLabCommand.isBuilt, "build the xdplab executable first (swift build): \(XDPLabCommand.executable) is missing")
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        let running = try XDPLabCommand.start(["run", Repository.gateLab, "--captures", captures])
        // The run names its id first; its namespaces are xdplab-<id>-*.
        let announced = running.waitForErrorLine(timeout: 60) { $0.contains("] run ") && $0.contains(": evidence goes to") }
        let runLine = try #require(announced, "the run never announced itself")
        let run = try #require(runLine.split(separator: "] run ").last?.prefix(6)).description
        // Interrupt once traffic is on the wire: the injector has reported frames sent (the first report comes
        // after the first frames, "inject: 7/720").
        let injecting = running.waitForErrorLine(timeout: 120) { line in
            guard let range = line.range(of: "] inject: "), let sent = Int(line[range.upperBound...].prefix { $0.isNumber }) else { return false }
            return sent > 0
        }
        try #require(injecting != nil, "the run never reported injected frames")
        let namespaces = Ownership.existingNamespaces().filter { Ownership.runID(ofNamespace: $0) == run }
        #expect(namespaces.count == 2, "\(namespaces)")
        running.signal(SIGINT)
        let result = running.finish()
        #expect(result.status == 130, "\(result.stderr.suffix(2000))")
        #expect(Ownership.existingNamespaces().filter { Ownership.runID(ofNamespace: $0) == run }.isEmpty)
        // It was interrupted mid-traffic: the capture holds frames (more than a pcap file's 24-byte header).
        let pcap = try #require(FileManager.default.enumerator(atPath: captures)?.compactMap { $0 as? String }
            .first { $0.hasSuffix(".pcap") })
        let size = try #require(try FileManager.default.attributesOfItem(atPath: "\(captures)/\(pcap)")[.size] as? Int)
        #expect(size > 24, "the capture of the interrupted run is empty")
    }

    @Test("the gate lab's pre-flight check refuses a flags-0 program before anything is deployed")
    func preflightRefuses() throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        var lab = try LabLoader.load(path: Repository.gateLab)
        try #require(lab.stack.preflight.contains(.check))
        lab.traffic.duration = 1
        let before = ourNamespaces()
        let report = run(lab, program: try BuggyProgram.flagsZero.write(to: work), captures: work).report
        #expect(!report.passed)
        #expect(report.error?.contains("pre-flight check failed") == true)
        #expect(report.checks.isEmpty)
        #expect(ourNamespaces() == before)
    }

    @Test("without root, run exits 3 and names the missing capability")
    func missingCapabilityExitsThree() throws {
        let executable = Repository.executable
        try #require(FileManager.default.isExecutableFile(atPath: executable),
                     "build the xdplab executable first (swift build): \(executable) is missing")
        let setpriv = try #require(Command.which("setpriv"), "setpriv (util-linux) drops root for this test")
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        try Command.checked("chmod", ["777", captures])
        let result = try Command.run(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", executable,
                                               "run", Repository.gateLab, "--captures", captures])
        #expect(result.status == 3)
        #expect(result.stdout.contains("missing capability") && result.stdout.contains("root"))
    }

    @Test("xdplab clean removes the namespaces of a killed run, and only those")
    func cleanRemovesLeftovers() throws {
        // A run that died without tearing down: its record names a process that no longer exists.
        let run = Ownership.newRunID()
        let name = Ownership.namespaceName(run: run, host: "ghost")
        // Named like ours but not a run's (no 6-hex run id): clean must leave it. Unique, so parallel runs never meet.
        let unrelated = "xdplab-tlead-unrelated-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let record = "\(Ownership.recordDirectory)/\(run)"
        defer {
            _ = try? Command.run("ip", ["netns", "delete", name])
            _ = try? Command.run("ip", ["netns", "delete", unrelated])
            try? FileManager.default.removeItem(atPath: record)
        }
        // The record first, naming this live process: lab runs elsewhere on the machine clean leftovers when they
        // start, and a namespace of ours without a live owner would be theirs to remove before this test's turn.
        try Ownership.writeRecord(run: run, lab: "ghost", namespaces: [name])
        try Command.checked("ip", ["netns", "add", name])
        try Command.checked("ip", ["netns", "add", unrelated])
        try "pid 2147483646\nlab ghost\nnamespace \(name)\n".write(toFile: record, atomically: true, encoding: .utf8)

        let removals = Cleaner.removeLeftovers()
        #expect(removals.map(\.namespace).contains(name))
        #expect(!Ownership.existingNamespaces().contains(name))
        #expect(Ownership.existingNamespaces().contains(unrelated))
        #expect(!FileManager.default.fileExists(atPath: record))
    }
}
