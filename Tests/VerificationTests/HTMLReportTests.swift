import Foundation
import Testing
import Evidence
import LabModel
import Verification
import Reports
import TestSupport

/// The report page of fixed reports: what it shows, that it escapes what came from outside and loads nothing.
@Suite("report.html")
struct HTMLReportTests {
    static let folder = HTMLReport.Folder(files: ["validator-eth0.pcap", "report.json", "objects"])

    /// A lab whose SSH sessions stalled: queue 0 answered four times, then nothing for 3.1 s and the peer closed;
    /// queue 1 answered throughout. Its flow carries markup, as anything from outside may.
    static var stalled: LabReport {
        var scenario = Scenario()
        scenario.addHealthy("validator-udp4", queues: 0...1, count: 2)
        scenario.add("arp", queue: 0, count: 3, fate: .lost)
        scenario.sshEnabled = true
        scenario.sessions = [
            SessionRecord(queue: 0, flow: "tcp 198.18.0.2:41000 > 198.18.0.1:22 <b>x</b>", exchangesPlanned: 10,
                          exchangesCompleted: 4, longestStall: 3.1, stalledAt: 0.9, failure: "closed by <peer>",
                          answeredAt: [0.2, 0.4, 0.6, 0.8], startedAt: 0, endedAt: 3.9, maxStall: 2),
            SessionRecord(queue: 1, flow: "tcp 198.18.0.2:41001 > 198.18.0.1:22", exchangesPlanned: 10,
                          exchangesCompleted: 10, longestStall: 0.2, stalledAt: nil, failure: nil,
                          answeredAt: (1...10).map { Double($0) * 0.2 }, startedAt: 0, endedAt: 2.1, maxStall: 2),
        ]
        let observations = scenario.observations
        let requests = CheckName.allCases.filter { !$0.needsSequence }.map { CheckRequest(name: $0, expected: .holds) }
        let results = Verifier.evaluate(requests, observations: observations)
        return LabReport.make(lab: "arp-stall", file: "Labs/arp.yaml", results: results, observations: observations,
                              diagnosis: Verifier.diagnosis(of: results, observations: observations), durationSeconds: 5,
                              captureDirectory: "Captures/arp-stall/run-1")
    }

    /// The `<td>` of one grid cell, or nil.
    static func cell(_ page: String, _ trafficClass: String, queue: Int) -> String? {
        let pattern = "<td class=\"[^\"]*\" data-class=\"\(NSRegularExpression.escapedPattern(for: trafficClass))\" data-queue=\"\(queue)\"[^>]*>"
        return page.range(of: pattern, options: .regularExpression).map { String(page[$0]) }
    }

    @Test("the failing cell is marked wrong, with its counts; cells where all went well are not")
    func failingCell() throws {
        let page = HTMLReport.render(ReportFixtures.failing, folder: Self.folder)
        let failing = try #require(Self.cell(page, "validator-udp4", queue: 2))
        #expect(failing.contains("class=\"cell f-lost wrong\""))
        #expect(failing.contains("data-misplaced=\"2\""))
        #expect(page.contains("✗ 2 wrong · expected kernel"))
        #expect(try #require(Self.cell(page, "validator-udp4", queue: 0)) .contains("class=\"cell f-xsk\""))
        #expect(try #require(Self.cell(page, "arp", queue: 0)).contains("class=\"cell f-kernel\""))
        // A packet that reached both the kernel and a socket is always wrong.
        #expect(try #require(Self.cell(page, "other-udp4", queue: 1)).contains("class=\"cell f-both wrong\""))
        #expect(page.contains("<th class=\"queue no-socket wrong\" data-queue=\"2\">"), "the failing queue's header is marked")
        #expect(page.contains("<strong>validator-udp4</strong> on queue 2: 2 lost"))
        #expect(page.contains("<header class=\"verdict fail\">"))
        #expect(page.contains("data-check=\"failed-redirects-pass\""))
    }

    @Test("the grid counts every packet once, and its wrong places are the packet checks' offenders")
    func gridAgreesWithChecks() throws {
        let report = Self.stalled
        let grid = try #require(report.grid)
        #expect(grid.cells.reduce(0) { $0 + $1.injected } == report.packets.injected)
        #expect(grid.cells.reduce(0) { $0 + $1.lost } == report.packets.lost)
        let offenders = report.checks.reduce(0) { $0 + $1.offenders.count }
        #expect(grid.cells.reduce(0) { $0 + $1.misplaced } == offenders)
        #expect(grid.cell("arp", queue: 0)?.misplaced == 3)
        #expect(grid.cell("validator-udp4", queue: 1)?.expectedXSK == 2)
        #expect(grid.queueCount == 4 && grid.socketQueues == [0, 1])
    }

    @Test("escapes what came from outside: lab names, flows, failures, error messages")
    func escaping() {
        let failing = HTMLReport.render(ReportFixtures.failing)
        #expect(failing.contains("<h1>fallback &lt;abort&gt; &amp; co</h1>"))
        #expect(!failing.contains("<abort>"))
        let broken = HTMLReport.render(ReportFixtures.broken)
        #expect(broken.contains("<header class=\"verdict error\">"))
        #expect(broken.contains("\"CAP_BPF\" &lt;needed&gt; for\u{FFFD}loading"))
        #expect(!broken.contains("\u{1}"))
        let stalled = HTMLReport.render(Self.stalled)
        #expect(stalled.contains("&lt;b&gt;x&lt;/b&gt;"))
        #expect(stalled.contains("ended: closed by &lt;peer&gt;"))
        #expect(!stalled.contains("<b>x</b>") && !stalled.contains("<peer>"))
    }

    @Test("self-contained: no script, nothing fetched, a policy that would block it anyway")
    func selfContained() {
        for report in [ReportFixtures.failing, ReportFixtures.passing, ReportFixtures.broken, Self.stalled] {
            let page = HTMLReport.render(report, folder: Self.folder)
            #expect(page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\""))
            #expect(!page.contains("<script"))
            #expect(!page.contains("url("))
            #expect(!page.contains("@import"))
            let external = page.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
            #expect(!external.contains("http://") && !external.contains("https://"))
        }
    }

    @Test("links what the folder holds, relatively; names what it lacks without a link")
    func links() {
        let report = ReportFixtures.failing
        let page = HTMLReport.render(report, folder: HTMLReport.Folder(files: ["validator-eth0.pcap", "report.json", "objects", "report.html"]))
        #expect(page.contains("<a href=\"validator-eth0.pcap\">validator-eth0.pcap</a>"))
        #expect(page.contains("<a href=\"report.json\">report.json</a>"))
        #expect(page.contains("<a href=\"objects/\">objects</a>"))
        #expect(!page.contains("href=\"report.html\""), "the page does not link itself")
        #expect(!page.contains("href=\"/"), "no absolute link: the folder may be moved or uploaded")
        let hrefs = page.components(separatedBy: "href=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(hrefs == ["validator-eth0.pcap", "report.json", "objects/"])
    }

    @Test("the SSH timeline: a tick per answer, a red band for the pause over the limit, the failure at the end")
    func timeline() {
        let page = HTMLReport.render(Self.stalled)
        #expect(page.components(separatedBy: "<line class=\"answer\"").count - 1 == 14)
        #expect(page.components(separatedBy: "<rect class=\"stall\"").count - 1 == 1, "queue 0: from 0.8 s to its end at 3.9 s")
        #expect(page.contains("stall 3.1s"))
        #expect(page.contains("<g class=\"session broken\" data-queue=\"0\">"))
        #expect(page.contains("<g class=\"session\" data-queue=\"1\">"))
        #expect(page.contains("1 of 2 SSH sessions stalled or broke"))
        #expect(page.contains("max-stall of 2s"))
    }

    @Test("a command stack: its command line, how it ended, and where socket arrivals come from")
    func commandStack() {
        var scenario = Scenario()
        scenario.addHealthy("validator-udp4", queues: 0...1, count: 1)
        scenario.evidence.socketArrivals = .redirectEventsByTime
        scenario.evidence.fexitProbe = "refused: Operation not permitted (EPERM)"
        scenario.evidence.stackProcess = StackProcessRecord(
            command: ["./bin/my stack", "--iface", "eth0", "--name", "it's"], pid: 42, logPath: "/x/run/stack.log",
            exitedAt: 1.5, exit: "exited with status 3", logTail: ["<fatal> bye"])
        let observations = scenario.observations
        let results = Verifier.evaluate([CheckRequest(name: .matchingReachXSK, expected: .holds)], observations: observations)
        let report = LabReport.make(lab: "own", file: "own.yaml", results: results, observations: observations, diagnosis: [],
                                    durationSeconds: 2, captureDirectory: nil)
        let page = HTMLReport.render(report, folder: HTMLReport.Folder(files: ["stack.log"]))
        #expect(page.contains("$ './bin/my stack' --iface eth0 --name 'it'\\''s'"))
        #expect(page.contains("output in <a href=\"stack.log\">stack.log</a>"))
        #expect(page.contains("It exited with status 3 at 1.50 s into the traffic."))
        #expect(page.contains("xdp:xdp_redirect events of its program"))
        #expect(page.contains("is refused: Operation not permitted (EPERM) on this kernel"))
        #expect(page.contains("&lt;fatal&gt; bye"))
    }

    @Test("reports written before the grid and the session timeline decode without them")
    func olderJSON() throws {
        let text = JSONReport.render([Self.stalled])
        var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var labs = try #require(object["labs"] as? [[String: Any]])
        labs[0].removeValue(forKey: "grid")
        labs[0]["sessions"] = (labs[0]["sessions"] as? [[String: Any]])?.map {
            $0.filter { !["answeredAt", "startedAt", "endedAt", "maxStall"].contains($0.key) }
        }
        object["labs"] = labs
        let decoded = try JSONReport.decode(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        let report = try #require(decoded.labs.first)
        #expect(report.grid == nil)
        #expect(report.sessions.first?.answeredAt == [])
        #expect(HTMLReport.render(report).contains("<section id=\"sessions\">"), "the page still draws what it has")
    }

    @Test("the terminal summary points at the page when the run wrote one")
    func terminalPoints() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-page-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fixture = ReportFixtures.failing
        let report = LabReport(lab: fixture.lab, file: fixture.file, passed: fixture.passed, checks: fixture.checks,
                               packets: fixture.packets, classes: fixture.classes, diagnosis: fixture.diagnosis,
                               durationSeconds: fixture.durationSeconds, captureDirectory: directory,
                               evidence: fixture.evidence, sessions: fixture.sessions, error: nil, grid: fixture.grid)
        #expect(!TerminalReport.summary([report], color: false).contains("page:"), "no page written yet")
        try HTMLReport.render(report).write(toFile: "\(directory)/report.html", atomically: true, encoding: .utf8)
        #expect(TerminalReport.summary([report], color: false).contains("  page:    \(directory)/report.html\n"))
    }
}

/// The page in a real browser: it loads without a console message, and the DOM holds the failing cell.
@Suite("report.html in headless Chromium", .enabled(if: HeadlessChromium.available, Comment(rawValue: HeadlessChromium.reason)))
struct HTMLReportBrowserTests {
    func temporaryPage(_ html: String) throws -> (file: String, remove: () -> Void) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-html-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = "\(directory)/report.html"
        try html.write(toFile: file, atomically: true, encoding: .utf8)
        return (file, { try? FileManager.default.removeItem(atPath: directory) })
    }

    @Test("the probe hears a page's console: a blocked load and a blocked script are reported")
    func probeHearsErrors() throws {
        let (file, remove) = try temporaryPage("""
            <!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head>
            <body><img src="https://example.invalid/x.png"><script>console.error("boom")</script></body></html>
            """)
        defer { remove() }
        let page = try HeadlessChromium.load(file)
        #expect(page.console.count >= 2, "\(page.console)")
    }

    @Test("a failing lab's page loads without console messages and shows the failing cell", arguments: [false, true])
    func failingLab(withSessions: Bool) throws {
        let report = withSessions ? HTMLReportTests.stalled : ReportFixtures.failing
        let (file, remove) = try temporaryPage(HTMLReport.render(report, folder: HTMLReportTests.folder))
        defer { remove() }
        let page = try HeadlessChromium.load(file)
        #expect(page.console.isEmpty, "\(page.console)")
        let (trafficClass, queue) = withSessions ? ("arp", 0) : ("validator-udp4", 2)
        let cell = try #require(HTMLReportTests.cell(page.dom, trafficClass, queue: queue), "the cell is in the DOM")
        #expect(cell.contains(" wrong\""))
        #expect(page.dom.contains("<h2>Where every packet went</h2>"))
    }
}
