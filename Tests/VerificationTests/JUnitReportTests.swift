import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Reports

/// Collects elements, attributes and text of a JUnit document; parsing fails on malformed XML.
private final class JUnitCollector: NSObject, XMLParserDelegate {
    struct Element { let name: String; let attributes: [String: String]; var text = "" }
    var elements: [Element] = []
    private var open: [Int] = []

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append(Element(name: elementName, attributes: attributes))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let index = open.last { elements[index].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }

    func named(_ name: String) -> [Element] { elements.filter { $0.name == name } }
}

@Suite("JUnit report")
struct JUnitReportTests {
    private func parse(_ xml: String) throws -> JUnitCollector {
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = JUnitCollector()
        parser.delegate = collector
        let parsed = parser.parse()
        #expect(parsed, "well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
        return collector
    }

    @Test("well-formed, one testsuite per lab, one testcase per check, failures with details")
    func structure() throws {
        let xml = JUnitReport.render([ReportFixtures.failing, ReportFixtures.passing, ReportFixtures.broken])
        let document = try parse(xml)
        let top = try #require(document.named("testsuites").first)
        #expect(top.attributes["tests"] == "6")
        #expect(top.attributes["failures"] == "2")
        #expect(top.attributes["errors"] == "1")

        let suites = document.named("testsuite")
        #expect(suites.map { $0.attributes["name"] ?? "" } == ["fallback <abort> & co", "healthy", "broken"])
        #expect(suites[0].attributes["tests"] == "3")
        #expect(suites[0].attributes["failures"] == "2")

        let cases = document.named("testcase")
        #expect(cases.count == 6)
        #expect(cases.prefix(3).map { $0.attributes["name"] ?? "" } == ["failed-redirects-pass", "matching-reach-xsk", "ssh-survives"])
        #expect(cases.prefix(3).allSatisfy { $0.attributes["classname"] == "xdplab.fallback <abort> & co" })
        #expect(cases[3].attributes["classname"] == "xdplab.healthy")

        let failures = document.named("failure")
        #expect(failures.count == 2)
        #expect(failures[0].attributes["message"]?.hasPrefix("expected holds, violated: 2 of 2 validator packets") == true)
        #expect(failures[0].text.contains("validator-udp4 on queue 2: 2 of 2 lost"))
        #expect(failures[0].text.contains("diagnosis:\n- bpf_redirect_map fell back"))
        #expect(failures[1].attributes["type"] == "undecided")
        #expect(failures[1].attributes["message"]?.contains("no SSH sessions in this lab's traffic") == true)
    }

    @Test("a lab that could not run is one errored testcase, with its text escaped")
    func erroredLab() throws {
        let document = try parse(JUnitReport.render([ReportFixtures.broken]))
        let cases = document.named("testcase")
        #expect(cases.count == 1)
        #expect(cases[0].attributes["name"] == "run")
        let error = try #require(document.named("error").first)
        #expect(error.attributes["message"] == "missing capability: \"CAP_BPF\" <needed> for\u{FFFD}loading")
        #expect(error.text == "missing capability: \"CAP_BPF\" <needed> for\u{FFFD}loading\nsecond line")
    }

    @Test("timestamp and hostname on every suite, file and a share of the lab's time on every testcase")
    func timesAndPlaces() throws {
        let context = ReportContext(startedAt: Date(timeIntervalSince1970: 1_700_000_000), hostname: "ci <runner> 7")
        let document = try parse(JUnitReport.render([ReportFixtures.failing, ReportFixtures.broken], context: context))
        let top = try #require(document.named("testsuites").first)
        #expect(top.attributes["timestamp"] == "2023-11-14T22:13:20Z")
        for suite in document.named("testsuite") {
            #expect(suite.attributes["timestamp"] == "2023-11-14T22:13:20Z")
            #expect(suite.attributes["hostname"] == "ci <runner> 7")
        }
        let cases = document.named("testcase")
        // 12.34 s over three checks; the lab that could not run keeps its whole time.
        #expect(cases.prefix(3).map { $0.attributes["time"] } == ["4.113", "4.113", "4.113"])
        #expect(cases.prefix(3).allSatisfy { $0.attributes["file"] == "Labs/fallback-abort.yaml" })
        #expect(cases[3].attributes["time"] == "0.500")
        #expect(cases[3].attributes["file"] == "Labs/broken.yaml")
        #expect(document.named("error").first?.attributes["type"] == "error")
    }

    @Test("a lab's own start time wins over the run's")
    func labTimestamp() throws {
        let lab = LabReport.failure(lab: "late", file: "Labs/late.yaml", error: "interrupted by SIGTERM", kind: .interrupted,
                                    durationSeconds: 2, startedAt: "2023-11-14T22:20:00Z", captureDirectory: nil)
        let document = try parse(JUnitReport.render([lab], context: ReportContext(startedAt: Date(timeIntervalSince1970: 1_700_000_000))))
        #expect(document.named("testsuite").first?.attributes["timestamp"] == "2023-11-14T22:20:00Z")
        let error = try #require(document.named("error").first)
        #expect(error.attributes["type"] == "interrupted")
        #expect(error.attributes["message"] == "interrupted by SIGTERM")
    }

    @Test("each bad lab file is one errored testcase with its file, its first line, and every problem as file:line:column")
    func labFileErrors() throws {
        let files = [LabFileProblems(file: "Labs/bad.yaml", problems: [.init(line: 3, column: 1, message: "a tab character here"),
                                                                        .init(line: 9, column: 12, message: "unknown check 'x'")]),
                     LabFileProblems(file: "Labs/huge.yaml", problems: [.init(line: 1, column: 1, message: "too large")], more: 4)]
        let document = try parse(JUnitReport.render([ReportFixtures.passing], labFileErrors: files))
        let top = try #require(document.named("testsuites").first)
        #expect(top.attributes["tests"] == "4")
        #expect(top.attributes["errors"] == "2")
        let suite = try #require(document.named("testsuite").first)
        #expect(suite.attributes["name"] == "lab files")
        #expect(suite.attributes["errors"] == "2")
        let cases = document.named("testcase").prefix(2)
        #expect(cases.map { $0.attributes["name"] } == ["Labs/bad.yaml", "Labs/huge.yaml"])
        #expect(cases.map { $0.attributes["file"] } == ["Labs/bad.yaml", "Labs/huge.yaml"])
        #expect(cases.map { $0.attributes["line"] } == ["3", "1"])
        #expect(cases.allSatisfy { $0.attributes["classname"] == "xdplab.lab-files" })
        let errors = document.named("error")
        #expect(errors.map { $0.attributes["type"] } == ["lab-file", "lab-file"])
        #expect(errors[0].attributes["message"] == "Labs/bad.yaml:3:1: error: a tab character here")
        #expect(errors[0].text == "2 problems:\nLabs/bad.yaml:3:1: error: a tab character here\nLabs/bad.yaml:9:12: error: unknown check 'x'")
        #expect(errors[1].text.hasSuffix("… and 4 more problems in Labs/huge.yaml"))
    }
}
