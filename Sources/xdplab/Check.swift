import ArgumentParser
import Foundation
import LabModel
import Glibc
import ProgramCheck

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Learn in seconds, without a network, whether an XDP program can drop what it must pass.",
        discussion: """
            Runs the program with BPF_PROG_TEST_RUN over a packet corpus (SSH, validator-port UDP and TCP, options, \
            fragments, extension headers, ICMP, ND, ARP, VLAN tags, runts, truncations) and over every UDP port (IPv4, \
            IPv6) and every EtherType, on every RX queue (--spread-sweeps: each sweep value on one queue in turn), each \
            with the xsks_map slot empty and with a real AF_XDP socket registered, on every core (--threads). \
            Non-matching frames must PASS; matching frames PASS with an empty slot and REDIRECT with a registered socket; \
            ABORTED, DROP, TX and illegal values are never allowed.

            With --attached (or --prog-id), checks instead a program that is already attached, loaded by any process, \
            found by the kernel. Its maps belong to a live stack and are never written: a queue of the interface with \
            an AF_XDP socket bound to it runs in the registered state, one without in the empty state; when every \
            queue has a socket, the empty state runs on a queue beyond the interface, on a scratch veth.

            Exit status: 0 clean, 1 violations, 2 bad input or usage, 3 missing capability (or a state could not run).
            """)

    @Argument(help: "The XDP program: a .bpf.c source (compiled as labs compile it) or a compiled .o. Not with --attached or --prog-id.",
              completion: .file(extensions: ["bpf.c", "o"]))
    var program: String?

    @Flag(help: "Check the XDP program attached to --interface in --namespace now, whoever loaded it.")
    var attached = false

    @Option(name: .customLong("prog-id"), help: "Check the loaded XDP program with this id (--namespace and --interface optional: their sockets decide each queue's state).")
    var progID: UInt32?

    @Option(help: "The network namespace of --interface (a name under /run/netns).")
    var namespace: String?

    @Option(help: "The interface the attached program serves.")
    var interface: String?

    @Option(help: "Validator ports: numbers and ranges, such as 8003-8005 or 8003,8004,8005.")
    var ports: String = "8003-8005"

    @Option(help: "RX queues to run on, 1 to 64 (queues 0 to N-1).")
    var queues: Int = CheckOptions.defaultQueues

    @Flag(help: "Run each sweep value on one queue in turn, not on every queue (a quarter of the runs on 4 queues; the corpus still runs on every queue).")
    var spreadSweeps = false

    @Flag(help: ArgumentHelp("Every sweep value on every queue: the default now, kept so that scripts that ask for it still run.",
                             visibility: .hidden))
    var sweepEveryQueue = false

    @Option(parsing: .unconditional, help: "Threads that share the test runs; the default is one per core.")
    var threads: Int = CheckOptions.defaultThreads

    @Option(help: "Write a JSON report here (- for standard output).", completion: .file(extensions: ["json"]))
    var json: String?

    @Option(help: "Write a JUnit XML report here (- for standard output).", completion: .file(extensions: ["xml"]))
    var junit: String?

    @OptionGroup var color: ColorOption

    @Option(help: ArgumentHelp("Also write the frames that ran here, for Benchmarks/check-rate.", visibility: .hidden))
    var saveFrames: String?

    /// A usage mistake is said in words and exits with status 2, as every usage error should.
    func validate() throws {
        var problem: String?
        if [program != nil, attached, progID != nil].filter({ $0 }).count != 1 {
            problem = "give exactly one of PROGRAM, --attached or --prog-id"
        } else if attached && (namespace == nil || interface == nil) {
            problem = "--attached needs --namespace and --interface"
        } else if progID != nil && (namespace == nil) != (interface == nil) {
            problem = "--prog-id takes --namespace and --interface together, or neither"
        } else if program != nil && (namespace != nil || interface != nil) {
            problem = "--namespace and --interface go with --attached or --prog-id, not with PROGRAM"
        }
        if problem == nil, spreadSweeps && sweepEveryQueue {
            problem = "--spread-sweeps and --sweep-every-queue contradict each other; give one"
        }
        if problem == nil, threads < 1 {
            problem = "--threads must be at least 1, got \(threads)"
        }
        // A ValidationError, not a message of our own: `--help` then shows only the help.
        if let problem { throw ValidationError(problem) }
        try ReportDestinations(json: json, junit: junit).validate()
    }

    /// What the reports call the program: the path, or where the live program was found.
    private var subject: String {
        if let program { return program }
        if let progID { return "prog id \(progID)" }
        return "attached \(namespace ?? ""):\(interface ?? "")"
    }

    func run() throws {
        let portList: [UInt16]
        do {
            portList = try PortRanges.parse(ports)
        } catch {
            return try fail("--ports: \(error)", status: Status.badInput)
        }
        let options = CheckOptions(ports: portList, queues: queues, framesFile: saveFrames, sweepQueues: spreadSweeps ? .spread : .every,
                                   threads: threads)
        let report: CheckReport
        let program = subject
        do {
            if let path = self.program {
                report = try ProgramCheck.check(program: path, options: options)
            } else if let progID {
                report = try ProgramCheck.check(attached: .program(id: progID, namespace: namespace, interface: interface),
                                                options: options)
            } else {
                report = try ProgramCheck.check(attached: .interface(interface ?? "", namespace: namespace ?? ""), options: options)
            }
        } catch let failure as CheckFailure {
            if let json { try write(CheckJSONReport.render(program: program, error: failure.description), to: json) }
            if let junit { try write(CheckJUnitReport.render(program: program, error: failure.description), to: junit) }
            return try fail(failure.description, status: failure.kind == .badInput ? Status.badInput : Status.missingCapability)
        }
        let destinations = ReportDestinations(json: json, junit: junit)
        destinations.summary(CheckTerminalReport.render(report, color: color.enabled(for: destinations.summaryDescriptor)))
        if let json { try write(CheckJSONReport.render(report), to: json) }
        if let junit { try write(CheckJUnitReport.render(report), to: junit) }
        if !report.passed { throw Status.failed }
        if !report.complete { throw Status.missingCapability }
    }

    private func fail(_ message: String, status: ExitCode) throws {
        FileHandle.standardError.write(Data("xdplab check: \(message)\n".utf8))
        throw status
    }

    private func write(_ text: String, to path: String) throws {
        try ReportDestinations(json: json, junit: junit).write(text, to: path)
    }
}
