import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Reports

/// Reports of one lab on three kernels (one skipped there, one where the guest did not boot) and how each
/// renderer shows the matrix.
@Suite("kernel matrix and skipped labs in the three reports")
struct KernelMatrixReportTests {
    static let kernels = [
        KernelRun(name: "host", release: "6.18.0", accelerator: "host", bootSeconds: nil, totalSeconds: 6, error: nil),
        KernelRun(name: "6.1.0-57-amd64", release: "6.1.0-57-amd64", accelerator: "tcg", bootSeconds: 13.25, totalSeconds: 41.5, error: nil),
        KernelRun(name: "6.12.117+deb12-amd64", release: "6.12.117+deb12-amd64", accelerator: "tcg", bootSeconds: nil,
                  totalSeconds: 600, error: "guest 6.12.117+deb12-amd64: did not boot within 600 s (tcg)"),
    ]

    static var reports: [LabReport] {
        [ReportFixtures.passing.on(kernel: "host"),
         LabReport.skip(lab: "needs-fexit", file: "Labs/fexit.yaml", reason: "requires fexit: program load failed with EPERM",
                        kernel: "host"),
         ReportFixtures.passing.on(kernel: "6.1.0-57-amd64"),
         ReportFixtures.failing.on(kernel: "6.1.0-57-amd64"),
         LabReport.couldNotRun(lab: "healthy", file: "Labs/healthy.yaml", error: kernels[2].error!,
                               kernel: "6.12.117+deb12-amd64", seconds: 600)]
    }

    @Test("the terminal shows a lab × kernel table, each kernel's accelerator and boot time, and the skip")
    func terminal() {
        let text = TerminalReport.summary(Self.reports, kernels: Self.kernels, color: false)
        #expect(text.contains("SKIP  needs-fexit  Labs/fexit.yaml  on host\n  skipped: requires fexit: program load failed with EPERM"))
        #expect(text.contains("PASS  healthy  Labs/healthy.yaml  on 6.1.0-57-amd64  (3.0s)"))
        let table = """
            lab × kernel:
              lab                    host  6.1.0-57-amd64  6.12.117+deb12-amd64
              healthy                PASS  PASS            ERROR
              needs-fexit            SKIP  -               -
              fallback <abort> & co  -     FAIL            -
              host: the host's kernel 6.18.0
              6.1.0-57-amd64: TCG, booted in 13.2 s, 41.5 s in all
              6.12.117+deb12-amd64: TCG, 600.0 s in all — could not run its labs
            """
        #expect(text.contains(table))
        #expect(text.hasSuffix("2 of 4 lab runs passed, 1 skipped\n"))
    }

    @Test("a plain run names no kernel and counts skips apart")
    func plain() {
        let text = TerminalReport.summary([ReportFixtures.passing, LabReport.skip(lab: "x", file: "x.yaml", reason: "requires netdevsim")],
                                          color: false)
        #expect(!text.contains("lab × kernel"))
        #expect(text.hasSuffix("1 of 1 lab passed, 1 skipped\n"))
    }

    @Test("JSON carries kernel and skipped on every lab, the kernels, and reads back")
    func json() throws {
        let text = JSONReport.render(Self.reports, kernels: Self.kernels)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let labs = try #require(object["labs"] as? [[String: Any]])
        #expect(labs.map { $0["kernel"] as? String } == ["host", "host", "6.1.0-57-amd64", "6.1.0-57-amd64", "6.12.117+deb12-amd64"])
        #expect(labs[1]["skipped"] as? String == "requires fexit: program load failed with EPERM")
        #expect(labs[0]["skipped"] is NSNull)
        let kernels = try #require(object["kernels"] as? [[String: Any]])
        #expect(kernels.map { $0["accelerator"] as? String } == ["host", "tcg", "tcg"])
        #expect(kernels[1]["bootSeconds"] as? Double == 13.25)
        #expect(try JSONReport.decode(text).labs == Self.reports)
        let plain = try #require(try JSONSerialization.jsonObject(with: Data(JSONReport.render([ReportFixtures.passing]).utf8))
                                 as? [String: Any])
        #expect((plain["kernels"] as? [Any])?.isEmpty == true, "every key is always there; a plain run has no kernels")
    }

    @Test("JUnit has one testsuite per kernel and <skipped/> for a skipped lab")
    func junit() throws {
        let xml = JUnitReport.render(Self.reports)
        let suites = xml.split(separator: "\n").filter { $0.hasPrefix("  <testsuite ") }
        #expect(suites.count == 3)
        #expect(suites[0].contains("name=\"kernel host\"") && suites[0].contains("skipped=\"1\""))
        #expect(suites[1].contains("name=\"kernel 6.1.0-57-amd64\"") && suites[1].contains("failures=\"2\""))
        #expect(suites[2].contains("name=\"kernel 6.12.117+deb12-amd64\"") && suites[2].contains("errors=\"1\""))
        #expect(xml.contains("<testcase classname=\"xdplab.needs-fexit\" name=\"run\" time=\"0.000\""))
        #expect(xml.contains("<skipped message=\"requires fexit: program load failed with EPERM\"/>"))
        #expect(xml.contains("<property name=\"kernel\" value=\"6.1.0-57-amd64\"/>"))
        #expect(XMLParser(data: Data(xml.utf8)).parse())
    }

    @Test("without kernels a skipped lab is its own testsuite with <skipped/>")
    func junitPlain() {
        let xml = JUnitReport.render([LabReport.skip(lab: "x", file: "x.yaml", reason: "requires netdevsim")])
        #expect(xml.contains("<testsuite name=\"x\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\" time=\"0.000\" timestamp="))
        #expect(xml.contains("<skipped message=\"requires netdevsim\"/>"))
    }
}
