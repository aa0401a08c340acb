import Foundation
import KernelObservation
import TextOutput
import LabModel

/// The human report of a check: the lint, a table of verdicts by class × state, what did not run, the
/// rate, and every violation with its frame in hex.
public enum CheckTerminalReport {
    public static func render(_ report: CheckReport, color: Bool, violationLimit: Int = 200) -> String {
        let paint = Paint(enabled: color)
        let name = URL(fileURLWithPath: report.program).lastPathComponent
        var lines: [String]
        if let attached = report.attached {
            lines = attachedHeader(attached, ports: report.ports, paint)
        } else {
            lines = [paint.bold("xdplab check \(printable(name))")]
            let queues = report.queuesRun == 1 ? "queue 0" : "queues 0-\(report.queuesRun - 1)"
            lines.append("  ports \(PortRanges.text(report.ports, separator: ", ")) · \(queues) · " + report.states.map(\.title).joined(separator: ", "))
        }
        if report.lint.isEmpty {
            lines.append("  lint: no bpf_redirect_map call found")
        }
        for call in report.lint {
            let text = "  lint: " + call.summary
            lines.append(call.emptySlotIsSafe ? text : paint.yellow(text))
        }
        lines.append("")
        lines += table(report, paint)
        lines.append("")
        if !report.notRun.isEmpty {
            let shown = report.notRun.prefix(4).joined(separator: ", ") + (report.notRun.count > 4 ? ", …" : "")
            let cases = report.notRun.count == 1 ? "1 case" : "\(report.notRun.count) cases"
            lines.append("  not run: \(cases) shorter than an Ethernet header (\(shown)); "
                         + "BPF_PROG_TEST_RUN refuses them and no driver hands XDP such a frame")
        }
        for note in report.notes { lines.append(paint.yellow("  note: " + printable(note))) }
        lines.append("  " + rateLine(report))
        lines.append("")
        if report.passed {
            lines.append(paint.green(report.complete ? "PASS  no run broke the rules"
                                                     : "PASS  no run broke the rules, but the matrix is incomplete (see notes)"))
        } else {
            let entries = report.violations.count == 1 ? "1 entry" : "\(report.violations.count) entries"
            lines.append(paint.red("FAIL  \(CheckReport.grouped(report.violatingRuns)) runs broke the rules (\(entries)):"))
            for violation in report.violations.prefix(violationLimit) {
                lines += describe(violation, paint)
            }
            if report.violations.count > violationLimit {
                lines.append("  … and \(report.violations.count - violationLimit) more entries; --json and --junit list them all")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A live program: what it is, that it ran as it is (its map untouched), which queue ran in which state.
    static func attachedHeader(_ attached: AttachedCheck, ports: [UInt16], _ paint: Paint) -> [String] {
        let program = attached.program
        var lines = [paint.bold("xdplab check --attached \(printable(program.name))") + "  id \(program.id) · tag \(program.tag)"]
        let map = attached.xskMap.map { "its XSKMAP \($0.text) in its live state, never written" } ?? "it has no XSKMAP"
        if let interface = attached.interface, let namespace = attached.namespace {
            let mode = program.mode.map { $0 == .native ? "native" : "generic" }
            lines.append("  checked attached to \(printable(namespace)):\(printable(interface))"
                         + (mode.map { " (\($0))" } ?? "") + ", as loaded by its own process; \(map)")
            let total = attached.interfaceQueues ?? 0
            var states: [String] = []
            if !attached.registeredQueues.isEmpty {
                states.append("\(queueWord(attached.registeredQueues)) socket registered (a socket bound)")
            }
            if !attached.emptyQueues.isEmpty {
                states.append("\(queueWord(attached.emptyQueues)) slot empty (no socket bound)")
            }
            lines.append("  ports \(PortRanges.text(ports, separator: ", ")) · \(total) RX queue\(total == 1 ? "" : "s"): " + states.joined(separator: ", "))
        } else {
            lines.append("  checked by id, as loaded by its own process; \(map)")
            lines.append("  ports \(PortRanges.text(ports, separator: ", ")) · \(queueWord(attached.emptyQueues)) of a scratch veth: slot empty")
        }
        if let beyond = attached.beyond {
            lines.append("  queue \(beyond.queue), beyond the interface, on \(printable(beyond.device)) (ifindex \(beyond.ifindex)) "
                         + "of the check's own namespace: slot empty")
        }
        return lines
    }

    /// "queue 0", "queues 1-3", "queues 0, 2".
    private static func queueWord(_ queues: [Int]) -> String {
        (queues.count == 1 ? "queue " : "queues ") + AttachedCheck.queueList(queues)
    }

    /// "395,144 runs (241 frames × 4 queues + 196,608 sweep values …, × 2 states) in 0.27 s: 1.46 M runs/s …".
    static func rateLine(_ report: CheckReport) -> String {
        let t = report.timing
        return "\(CheckReport.grouped(report.runs)) runs (\(report.scopeText)) in "
            + String(format: "%.2f s: %.2f M runs/s (test runs %.2f s, judging %.3f s); ", t.matrix, report.rate / 1e6, t.testRuns, t.judging)
            + String(format: "load %.2f s, namespace and sockets %.2f s, corpus %.2f s, total %.2f s",
                     t.compileAndLoad, t.environment, t.corpus, t.total)
    }

    static func cell(_ tally: ClassTally, _ state: SlotState) -> String {
        let counts = tally.counts[state.rawValue]
        var parts = XDPVerdict.bucketNames.indices.filter { counts[$0] > 0 }.map { "\(XDPVerdict.bucketNames[$0]) \(counts[$0])" }
        if tally.violations[state.rawValue] > 0 { parts.append("✗\(tally.violations[state.rawValue])") }
        return parts.joined(separator: " ")
    }

    private static func table(_ report: CheckReport, _ paint: Paint) -> [String] {
        let headers = ["class", "frames"] + report.states.map(\.title)
        let rows = report.tallies.map { tally in
            [tally.caseClass.rawValue, "\(tally.frames)"] + report.states.map { cell(tally, $0) }
        }
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ row: [String]) -> String {
            var text = row.enumerated().map { column, text in
                column == 1 ? String(repeating: " ", count: widths[column] - text.count) + text
                            : text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        var lines = ["  " + paint.bold(line(headers))]
        for (tally, row) in zip(report.tallies, rows) {
            let text = "  " + line(row)
            lines.append(tally.violations.reduce(0, +) > 0 ? paint.red(text) : text)
        }
        return lines
    }

    private static func describe(_ violation: CheckViolation, _ paint: Paint) -> [String] {
        let allowed = violation.allowed.map(\.name).joined(separator: " or ")
        var lines = [paint.red("  ✗ ") + paint.bold(violation.caseName) + violation.valuesText
                     + "  \(violation.caseClass.rawValue) · \(violation.state.title) · \(violation.queueText) → "
                     + paint.red(violation.verdict.name) + ", allowed \(allowed)"]
        lines.append("      " + violation.why)
        lines += HexDump.lines(violation.frame, limit: 128).map { paint.dim("      " + $0) }
        return lines
    }

    /// Control characters from outside (file names) must not reach the terminal.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            let control = (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
            return control ? "\u{FFFD}" : scalar
        }))
    }
}
