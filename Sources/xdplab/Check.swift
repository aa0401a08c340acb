import ArgumentParser
import Foundation
import Glibc
import ProgramCheck

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Learn in about a second, without a network, whether an XDP program can drop what it must pass.",
        discussion: """
            Runs the program with BPF_PROG_TEST_RUN over a packet corpus (SSH, validator-port UDP and TCP, options,
            fragments, extension headers, ICMP, ND, ARP, VLAN tags, runts, truncations) on every RX queue, and over
            every UDP port (IPv4, IPv6) and every EtherType spread over the queues, each with the xsks_map slot empty
            and with a real AF_XDP socket registered. Non-matching frames must PASS; matching frames PASS with an empty slot and
            REDIRECT with a registered socket; ABORTED, DROP, TX and illegal values are never allowed.
            Exit status: 0 clean, 1 violations, 2 bad input, 3 missing capability (or the registered state could
            not run).
            """)

    @Argument(help: "The XDP program: a .bpf.c source (compiled as labs compile it) or a compiled .o.")
    var program: String

    @Option(help: "Validator ports: numbers and ranges, such as 8003-8005 or 8003,8004,8005.")
    var ports: String = "8003-8005"

    @Option(help: "RX queues to run on, 1 to 64 (queues 0 to N-1).")
    var queues: Int = CheckOptions.defaultQueues

    @Flag(help: "Run every sweep value on every queue too, not each on one queue in turn (slower, more runs).")
    var sweepEveryQueue = false

    @Option(help: "Write a JSON report here.")
    var json: String?

    @Option(help: "Write a JUnit XML report here.")
    var junit: String?

    @Option(help: ArgumentHelp("Also write the frames that ran here, for Benchmarks/check-rate.", visibility: .hidden))
    var saveFrames: String?

    func run() throws {
        let portList: [UInt16]
        do {
            portList = try PortList.parse(ports)
        } catch {
            return try fail("--ports: \(error)", status: Status.badInput)
        }
        let options = CheckOptions(ports: portList, queues: queues, framesFile: saveFrames, sweepEveryQueue: sweepEveryQueue)
        let report: CheckReport
        do {
            report = try ProgramCheck.check(program: program, options: options)
        } catch let failure as CheckFailure {
            if let json { try write(CheckJSONReport.render(program: program, error: failure.description), to: json) }
            if let junit { try write(CheckJUnitReport.render(program: program, error: failure.description), to: junit) }
            return try fail(failure.description, status: failure.kind == .badInput ? Status.badInput : Status.missingCapability)
        }
        print(CheckTerminalReport.render(report, color: isatty(STDOUT_FILENO) != 0), terminator: "")
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
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            try fail("cannot write \(path): \(error.localizedDescription)", status: Status.badInput)
        }
    }
}
