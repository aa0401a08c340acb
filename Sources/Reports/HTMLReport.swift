import Foundation
import Sequencing
import Evidence
import Verification
import TextOutput
import LabModel

/// `report.html` in a run folder: one lab's run as a page a person looks at after a failure. The verdict and every
/// check, a grid of RX queue × traffic class coloured by where the packets went with the wrong places marked, the
/// SSH sessions as a timeline with their stalls, the ring picture of a sequence lab, the command stack, the
/// diagnosis and the kernel's evidence, and relative links to the files beside it.
///
/// Self-contained: inline CSS and SVG, no script, and a Content-Security-Policy that lets the page load nothing
/// but inline styles and `data:` images. Every text that came from outside (lab names, flows, log lines, error
/// messages) is escaped.
public enum HTMLReport {
    public static let fileName = "report.html"

    /// What the run folder holds beside the page.
    public struct Folder: Sendable, Equatable {
        /// Names of the entries of the run folder (not paths), linked relatively; `report.html` itself is left out.
        public var files: [String]
        /// The ring picture's SVG, shown inline as an image (sequence labs with a ring watch).
        public var ringPicture: String?

        public init(files: [String] = [], ringPicture: String? = nil) {
            self.files = files
            self.ringPicture = ringPicture
        }
    }

    public static func render(_ report: LabReport, folder: Folder = Folder()) -> String {
        var body = [header(report)]
        if let error = report.error {
            body.append(section("error", "Could not run", "<pre class=\"error\">\(esc(error))</pre>"))
        } else {
            body.append(checks(report))
        }
        if let grid = report.grid, !grid.cells.isEmpty { body.append(HTMLFateGrid.section(grid)) }
        if let verdicts = report.verdicts { body.append(verdictSection(verdicts)) }
        if !report.diagnosis.isEmpty {
            body.append(section("diagnosis", "Diagnosis",
                                "<ol class=\"diagnosis\">" + report.diagnosis.map { "<li>\(esc($0))</li>" }.joined() + "</ol>"))
        }
        if !report.sessions.isEmpty { body.append(HTMLSessionTimeline.section(report.sessions)) }
        if let sequence = report.sequence { body.append(sequenceSection(sequence, folder: folder)) }
        if let load = report.load { body.append(loadSection(load)) }
        if let process = report.evidence?.stackProcess, let evidence = report.evidence {
            body.append(stackSection(process, evidence, folder: folder))
        }
        if let evidence = report.evidence { body.append(evidenceSection(evidence)) }
        body.append(filesSection(folder))
        let verdict = report.error != nil ? "ERROR" : report.passed ? "PASS" : "FAIL"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <title>\(verdict) \(esc(report.lab)) · xdplab</title>
            <style>\(HTMLStyle.css)</style>
            </head>
            <body>
            \(body.joined(separator: "\n"))
            </body>
            </html>

            """
    }

    // MARK: sections

    private static func header(_ report: LabReport) -> String {
        let verdict = report.error != nil ? "error" : report.passed ? "pass" : "fail"
        var facts = ["<span>\(esc(report.file))</span>", "<span>\(esc(DurationText.seconds(report.durationSeconds, digits: 1, fixed: true, unit: " s")))</span>"]
        if let directory = report.captureDirectory { facts.append("<span class=\"path\">\(esc(directory))</span>") }
        var chips: [String] = []
        if report.error == nil {
            let asExpected = report.checks.filter(\.passed).count
            chips.append(chip("\(asExpected) of \(Words.plural(report.checks.count, "check")) as expected",
                              good: asExpected == report.checks.count))
            if report.checks.contains(where: { $0.expected == .violated && $0.passed }) {
                chips.append(chip("incident reproduced: the checks it declares violated were violated", good: true))
            }
        }
        if let grid = report.grid, !grid.cells.isEmpty {
            let misplaced = grid.cells.reduce(0) { $0 + $1.misplaced }
            let injected = grid.cells.reduce(0) { $0 + $1.injected }
            chips.append(chip(misplaced == 0 ? "every one of \(Words.plural(injected, "packet")) where it had to go"
                                             : "\(misplaced) of \(Words.plural(injected, "packet")) in the wrong place", good: misplaced == 0))
        }
        if !report.sessions.isEmpty {
            let broken = report.sessions.filter(HTMLSessionTimeline.brokeDown).count
            chips.append(chip(broken == 0 ? "every SSH session survived"
                                          : "\(broken) of \(Words.plural(report.sessions.count, "SSH session")) stalled or broke",
                              good: broken == 0))
        }
        return """
            <header class="verdict \(verdict)">
            <div class="badge">\(verdict.uppercased())</div>
            <div class="title"><h1>\(esc(report.lab))</h1><p class="facts">\(facts.joined(separator: " · "))</p>
            <p class="chips">\(chips.joined(separator: " "))</p></div>
            </header>
            """
    }

    private static func chip(_ text: String, good: Bool) -> String {
        "<span class=\"chip \(good ? "good" : "bad")\">\(esc(text))</span>"
    }

    private static func checks(_ report: LabReport) -> String {
        guard !report.checks.isEmpty else { return section("checks", "Checks", "<p>No checks were judged.</p>") }
        let rows = report.checks.map { check -> String in
            let observed = check.judged ? (check.held ? "held" : "violated") : "could not be judged"
            let lines = check.detail.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var detail = esc(lines.first ?? "")
            if lines.count > 1 {
                detail += "<details><summary>\(lines.count - 1) more \(lines.count == 2 ? "line" : "lines")</summary>"
                    + "<pre>\(esc(lines.dropFirst().joined(separator: "\n")))</pre></details>"
            }
            return "<tr class=\"\(check.passed ? "pass" : "fail")\" data-check=\"\(attr(check.name))\">"
                + "<td class=\"mark\">\(check.passed ? "✓" : "✗")</td><td class=\"name\">\(esc(check.name))</td>"
                + "<td>\(esc(check.expected.rawValue))</td><td class=\"observed\">\(esc(observed))</td><td class=\"detail\">\(detail)</td></tr>"
        }
        return section("checks", "Checks", """
            <table class="checks"><thead><tr><th></th><th>check</th><th>expected</th><th>observed</th><th>detail</th></tr></thead>
            <tbody>\(rows.joined(separator: "\n"))</tbody></table>
            """)
    }

    private static func sequenceSection(_ sequence: SequenceSummary, folder: Folder) -> String {
        var html = "<ul class=\"lines\">" + sequence.lines.map { "<li>\(esc($0))</li>" }.joined() + "</ul>"
        if let picture = folder.ringPicture {
            let encoded = Data(picture.utf8).base64EncodedString()
            let name = sequence.ringPicture.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "ring picture"
            html += "<figure class=\"ring\"><img alt=\"the map ring over time\" src=\"data:image/svg+xml;base64,\(encoded)\">"
                + "<figcaption>\(link(name, folder: folder))</figcaption></figure>"
        }
        return section("sequence", "Sequence", html)
    }

    /// The load phase: rate and totals, then each queue's fates and, where packets were lost, the counters that rose.
    private static func loadSection(_ load: LoadRecord) -> String {
        let lines = [LoadText.summary(load)] + LoadText.queueLines(load) + LoadText.lossLines(load).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return section("load", "Load phase", "<ul class=\"lines\">" + lines.map { "<li>\(esc($0))</li>" }.joined() + "</ul>")
    }

    private static func stackSection(_ process: StackProcessRecord, _ evidence: KernelEvidence, folder: Folder) -> String {
        let log = URL(fileURLWithPath: process.logPath).lastPathComponent
        var html = "<pre class=\"command\">$ \(esc(shellWords(process.command)))</pre>"
        html += "<p>pid \(process.pid) · output in \(link(log, folder: folder))</p>"
        if let exit = process.exit {
            let when = process.exitedAt.map { $0 < 0 ? " before traffic started" : " at \(DurationText.seconds($0, digits: 2, fixed: true, unit: " s")) into the traffic" } ?? ""
            html += "<p class=\"bad\">It \(esc(exit))\(esc(when)).</p>"
        }
        html += "<p><strong>socket arrivals:</strong> \(esc(evidence.socketArrivals.text(fexitProbe: evidence.fexitProbe)))</p>"
        if !process.logTail.isEmpty {
            html += "<p>Its last lines:</p><pre class=\"log\">\(esc(process.logTail.joined(separator: "\n")))</pre>"
        }
        return section("stack", "Stack command", html)
    }

    private static func evidenceSection(_ evidence: KernelEvidence) -> String {
        var lines = EvidenceText.lines(evidence)
        lines += evidence.replacements.map { replacement in
            let when = replacement.at.map { " at \(DurationText.seconds($0, digits: 2, fixed: true, unit: " s"))" } ?? " during start-up"
            let orphaned = replacement.orphanedPorts.isEmpty ? ""
                : "; ports \(replacement.orphanedPorts.map(String.init).joined(separator: ", ")) lost their program"
            return "\(replacement.replacedBy) replaced \(replacement.replaced)\(when)\(orphaned)"
        }
        let body = lines.isEmpty ? "<p>No exception, redirect error, socket drop or veth XDP drop.</p>"
            : "<ul class=\"lines\">" + lines.map { "<li>\(esc($0))</li>" }.joined() + "</ul>"
        return section("evidence", "Kernel evidence", body)
    }

    /// Per-packet XDP verdicts: counts per class, every lost packet's verdict, every disagreement; or why none.
    static func verdictSection(_ verdicts: VerdictSummary) -> String {
        var html = "<p>\(esc(verdicts.headline))</p>"
        if !verdicts.classes.isEmpty {
            html += "<table class=\"verdicts\"><tr><th>class</th><th>verdicts</th></tr>"
                + verdicts.classes.map { "<tr><td>\(esc($0.trafficClass))</td><td>\(esc($0.text))</td></tr>" }.joined()
                + "</table>"
        }
        let lost = verdicts.packets.filter { $0.fate == .lost }
        if !lost.isEmpty {
            let items = lost.map { row -> String in
                let verdict = row.action == nil ? "no verdict recorded" : "program returned \(row.verdict)"
                return "<li>" + esc("#\(row.id) \(row.trafficClass) on queue \(row.queue): lost: \(verdict)") + "</li>"
            }
            html += "<p>Lost packets and the verdict their program returned:</p><ul class=\"lines\">" + items.joined() + "</ul>"
        }
        let disagreements = verdicts.disagreements
        if !disagreements.isEmpty {
            html += "<p class=\"bad\">Verdict and observation disagree for \(disagreements.count) packets:</p><ul class=\"lines\">"
                + disagreements.map { "<li>\(esc($0.text)) — \(esc($0.disagreement?.text ?? ""))</li>" }.joined() + "</ul>"
        }
        return section("verdicts", "XDP verdicts", html)
    }

    private static func filesSection(_ folder: Folder) -> String {
        let entries = folder.files.filter { $0 != fileName }.sorted { (rank($0), $0) < (rank($1), $1) }
        guard !entries.isEmpty else { return section("files", "Files", "<p>No files beside this page.</p>") }
        let items = entries.map { "<li>\(link($0, folder: folder)) <span class=\"what\">\(esc(describe($0)))</span></li>" }
        return section("files", "Files beside this page", "<ul class=\"files\">\(items.joined())</ul>")
    }

    /// The most useful first: the capture, the JSON report, the stack's output.
    private static func rank(_ name: String) -> Int {
        if name.hasSuffix(".pcap") { return 0 }
        if name == "report.json" { return 1 }
        if name == "stack.log" { return 2 }
        return name.hasPrefix("objects") ? 4 : 3
    }

    private static func describe(_ name: String) -> String {
        if name.hasSuffix(".pcap") { return "what XDP passed to the kernel on the stack's interface" }
        if name == "report.json" { return "this report as JSON" }
        if name == "stack.log" { return "the stack command's output" }
        if name.hasSuffix(".ring.svg") { return "the ring over time" }
        if name.hasSuffix(".ring-slots.csv") { return "every ring slot's state at each sample" }
        if name.hasSuffix(".ring.csv") { return "ring watch samples" }
        if name == "objects" { return "the compiled BPF objects" }
        return ""
    }

    // MARK: pieces

    static func section(_ id: String, _ title: String, _ body: String) -> String {
        "<section id=\"\(id)\"><h2>\(esc(title))</h2>\n\(body)\n</section>"
    }

    /// A relative link to an entry of the run folder when it is there, else its name alone.
    static func link(_ name: String, folder: Folder) -> String {
        guard folder.files.contains(name) else { return "<span class=\"missing\">\(esc(name))</span>" }
        let href = (name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name) + (name == "objects" ? "/" : "")
        return "<a href=\"\(attr(href))\">\(esc(name))</a>"
    }

    /// The command as a shell would take it back: words with anything but plain characters in single quotes.
    static func shellWords(_ words: [String]) -> String {
        words.map { word in
            let plain = !word.isEmpty && word.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || "_./,:=@%+-{}".unicodeScalars.contains($0)
            }
            return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    static func esc(_ text: String) -> String { XMLText.text(text) }
    static func attr(_ text: String) -> String { XMLText.attribute(text) }
}
