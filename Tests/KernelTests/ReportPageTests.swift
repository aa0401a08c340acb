import Foundation
import Glibc
import Testing
import LabModel
import Orchestrator
import Realization
import SystemSupport
import Reports
import TestSupport

/// The report page of a real run, in a real browser.
@Suite("report.html of a real run", .serialized,
       Probe.labs,
       .enabled(if: HeadlessChromium.available, Comment(rawValue: HeadlessChromium.reason)))
struct ReportPageTests {
    static let incidents = RepositoryPaths.path("Labs/incidents")

    @Test("queue-without-socket: the page beside report.json loads cleanly and marks validator traffic on queues 1-3")
    func queueWithoutSocket() throws {
        let captures = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-page-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: captures) }
        let lab = try LabLoader.load(path: "\(Self.incidents)/queue-without-socket.yaml")
        let report = LabRunner.run(lab, options: RunOptions(capturesDirectory: captures, progress: { _ in .silent })).report
        #expect(report.error == nil)
        let folder = try #require(report.captureDirectory)
        let file = "\(folder)/\(HTMLReport.fileName)"
        #expect(FileManager.default.fileExists(atPath: "\(folder)/report.json"))
        #expect(TerminalReport.summary([report], color: false).contains("page:    \(file)"))

        let page = try HeadlessChromium.load(file)
        #expect(page.console.isEmpty, "\(page.console)")
        for queue in 0..<4 {
            let cell = try #require(Self.cell(page.dom, "validator-udp4", queue: queue))
            // Queue 0 holds the only socket; flags 0 aborts what arrives on the others.
            #expect(cell.contains(" wrong\"") == (queue != 0), "queue \(queue): \(cell)")
        }
        #expect(Self.cell(page.dom, "arp", queue: 2)?.contains("class=\"cell f-kernel\"") == true)
        #expect(page.dom.contains("<a href=\"validator-eth0.pcap\">"))
        #expect(page.dom.contains("<a href=\"report.json\">"))
        let png = "\(folder)/page.png"
        try HeadlessChromium.screenshot(file, to: png, height: 1600)
        let header = try #require(FileManager.default.contents(atPath: png)?.prefix(8))
        #expect(Array(header) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
    }

    static func cell(_ dom: String, _ trafficClass: String, queue: Int) -> String? {
        let pattern = "<td class=\"[^\"]*\" data-class=\"\(trafficClass)\" data-queue=\"\(queue)\"[^>]*>"
        return dom.range(of: pattern, options: .regularExpression).map { String(dom[$0]) }
    }
}
