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
}
