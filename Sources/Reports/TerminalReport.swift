import Foundation
import Sequencing
import Evidence
import Verification
import TextOutput

/// The human summary: per lab PASS/FAIL, each check ✓/✗ with what was expected and its detail, a packet table by
/// class, the diagnosis, and where the capture went.
public enum TerminalReport {
    /// `kernels` (a kernel matrix) adds a lab × kernel table and a line per kernel saying how it ran.
    public static func summary(_ labs: [LabReport], kernels: [KernelRun] = [], color: Bool) -> String {
        let paint = Paint(enabled: color)
        var lines: [String] = []
        for lab in labs {
            lines += section(lab, paint)
            lines.append("")
        }
        if !kernels.isEmpty {
            lines += matrix(labs, kernels: kernels)
            lines.append("")
        }
        let skipped = labs.filter { $0.skipped != nil }.count
        let ran = labs.count - skipped
        let passed = labs.filter(\.passed).count
        let noun = kernels.isEmpty ? (ran == 1 ? "lab" : "labs") : (ran == 1 ? "lab run" : "lab runs")
        var verdict = "\(passed) of \(ran) \(noun) passed"
        if skipped > 0 { verdict += ", \(skipped) skipped" }
        lines.append(passed == ran ? (skipped > 0 ? paint.yellow(verdict) : paint.green(verdict)) : paint.red(verdict))
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per lab, one column per kernel: PASS, FAIL, ERROR, SKIP or `-` (not run there).
    static func matrix(_ labs: [LabReport], kernels: [KernelRun]) -> [String] {
        var names: [String] = []
        for lab in labs where !names.contains(lab.lab) { names.append(lab.lab) }
        let headers = ["lab"] + kernels.map(\.name)
        let rows = names.map { name -> [String] in
            [printable(name)] + kernels.map { kernel in
                guard let lab = labs.first(where: { $0.lab == name && ($0.kernel ?? "host") == kernel.name }) else { return "-" }
                return verdict(lab)
            }
        }
        let widths = headers.indices.map { column in ([headers] + rows).map { $0[column].count }.max()! }
        func line(_ cells: [String]) -> String {
            "  " + cells.indices.map { cells[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        return ["lab × kernel:", line(headers)] + rows.map(line)
            + kernels.map { "  \(printable($0.name)): \(printable($0.summary))" + ($0.error == nil ? "" : " — could not run its labs") }
    }

    static func verdict(_ lab: LabReport) -> String {
        if lab.skipped != nil { return "SKIP" }
        if lab.error != nil { return "ERROR" }
        return lab.passed ? "PASS" : "FAIL"
    }

    /// Control characters in texts that came from outside (error messages, lab names) must not reach the
    /// terminal: they could move the cursor or fake colours.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            let control = (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
            return control ? "\u{FFFD}" : scalar
        }))
    }

    private static func section(_ lab: LabReport, _ paint: Paint) -> [String] {
        let time = DurationText.seconds(lab.durationSeconds, digits: 1, fixed: true)
        let on = lab.kernel.map { "  on \(printable($0))" } ?? ""
        if let reason = lab.skipped {
            return ["\(paint.yellow("SKIP ")) \(paint.bold(printable(lab.lab)))  \(printable(lab.file))\(on)",
                    "  skipped: " + printable(reason)]
        }
        if let error = lab.error {
            return ["\(paint.red("ERROR")) \(paint.bold(printable(lab.lab)))  \(printable(lab.file))\(on)  (\(time))",
                    "  could not run: " + printable(error).replacingOccurrences(of: "\n", with: "\n    ")]
                + (lab.captureDirectory.map { ["  capture: \(printable($0))"] } ?? []) + page(lab)
        }
        var lines = ["\(lab.passed ? paint.green("PASS ") : paint.red("FAIL ")) \(paint.bold(printable(lab.lab)))  \(printable(lab.file))\(on)  (\(time))"]
        let width = lab.checks.map(\.name.count).max() ?? 0
        for check in lab.checks {
            let mark = check.passed ? paint.green("✓") : paint.red("✗")
            let name = printable(check.name).padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("  \(mark) \(name)  \(JUnitReport.outcome(check))")
            lines += printable(check.detail).split(separator: "\n", omittingEmptySubsequences: false).map { paint.dim("      \($0)") }
        }
        if !lab.classes.isEmpty { lines += table(lab) }
        if let verdicts = lab.verdicts { lines += verdictLines(verdicts, paint) }
        if let evidence = lab.evidence { lines += stackLines(evidence).map { "  " + printable($0) } }
        if let sequence = lab.sequence { lines += sequence.lines.map { "  " + printable($0) } }
        if let load = lab.load {
            lines.append("  load: " + printable(LoadText.summary(load)))
            lines += LoadText.queueLines(load).map { "    " + printable($0) }
        }
        if lab.packets.both > 0 {
            let both = lab.packets.both == 1 ? "1 packet" : "\(lab.packets.both) packets"
            lines.append(paint.red("  ! \(both) reached both the kernel and a socket (counted as xsk)"))
        }
        if !lab.diagnosis.isEmpty {
            lines.append("  diagnosis:")
            lines += lab.diagnosis.map { "    • \(printable($0))" }
        }
        if let directory = lab.captureDirectory {
            lines.append("  capture: \(printable(directory))")
            if lab.recovery != nil { lines.append("  recovery timeline: \(printable(directory))/recovery.svg") }
        }
        lines += page(lab)
        return lines
    }

    /// The run's report page, when the run wrote one.
    static func page(_ lab: LabReport) -> [String] {
        guard let directory = lab.captureDirectory else { return [] }
        let path = "\(directory)/\(HTMLReport.fileName)"
        return FileManager.default.fileExists(atPath: path) ? ["  page:    \(printable(path))"] : []
    }

    /// For a command stack: its process, and where "reached the socket" came from.
    static func stackLines(_ evidence: KernelEvidence) -> [String] {
        guard let process = evidence.stackProcess else { return [] }
        var lines = ["stack command: pid \(process.pid), output in \(process.logPath)"]
        if let exit = process.exit {
            let when = process.exitedAt.map { $0 < 0 ? " before traffic started" : " at \(DurationText.seconds($0, digits: 2, fixed: true)) into the traffic" } ?? ""
            lines.append("  it \(exit)\(when)")
        }
        lines.append("socket arrivals: \(evidence.socketArrivals.text(fexitProbe: evidence.fexitProbe))")
        return lines
    }

    /// Where the verdicts came from (or why there are none), the counts per class, each disagreement.
    static func verdictLines(_ verdicts: VerdictSummary, _ paint: Paint) -> [String] {
        var lines = ["  " + printable(verdicts.headline)]
        lines += verdicts.classes.map { "    \(printable($0.trafficClass)): \(printable($0.text))" }
        let disagreements = verdicts.disagreements
        if !disagreements.isEmpty {
            lines.append(paint.red("  ! verdict and observation disagree for \(Words.plural(disagreements.count, "packet")):"))
            lines += disagreements.prefix(verdictExamples).map { "    \(printable($0.text))" }
            if disagreements.count > verdictExamples { lines.append("    … and \(disagreements.count - verdictExamples) more") }
        }
        return lines
    }

    /// How many disagreeing packets the terminal lists (the JSON and the page have them all).
    static let verdictExamples = 10

    /// Packets by class, right-aligned counts, a total row.
    private static func table(_ lab: LabReport) -> [String] {
        let headers = ["packets", "injected", "kernel", "xsk", "lost"]
        var rows = lab.classes.map { [printable($0.trafficClass), "\($0.injected)", "\($0.kernel)", "\($0.xsk)", "\($0.lost)"] }
        let total = lab.packets
        rows.append(["total", "\(total.injected)", "\(total.kernel)", "\(total.xsk)", "\(total.lost)"])
        let widths = headers.indices.map { column in ([headers] + rows).map { $0[column].count }.max()! }
        func line(_ cells: [String]) -> String {
            let first = cells[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)
            let rest = cells.indices.dropFirst().map { String(repeating: " ", count: widths[$0] - cells[$0].count) + cells[$0] }
            return "  " + ([first] + rest).joined(separator: "  ")
        }
        return [line(headers)] + rows.map(line)
    }
}
