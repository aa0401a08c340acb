import Foundation
import Verification

/// JUnit XML for CI: one testsuite per lab, one testcase per check, classname `xdplab.<lab>`.
/// A check that did not come out as expected is a failure; a lab that could not run is one errored testcase.
public enum JUnitReport {
    /// With a kernel matrix (reports carrying `kernel`), one testsuite per kernel, named `kernel <name>`, holding
    /// every lab's testcases (classname `xdplab.<lab>`); otherwise one testsuite per lab.
    public static func render(_ labs: [LabReport]) -> String {
        let tests = labs.reduce(0) { $0 + testCount($1) }
        let failures = labs.reduce(0) { $0 + failureCount($1) }
        let errors = labs.filter { $0.error != nil }.count
        let skipped = labs.filter { $0.skipped != nil }.count
        let time = labs.reduce(0) { $0 + $1.durationSeconds }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"xdplab\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(seconds(time))\">\n"
        if labs.contains(where: { $0.kernel != nil }) {
            var order: [String] = []
            for lab in labs where !order.contains(lab.kernel ?? "host") { order.append(lab.kernel ?? "host") }
            for kernel in order { xml += kernelSuite(kernel, labs.filter { ($0.kernel ?? "host") == kernel }) }
        } else {
            for lab in labs { xml += suite(lab) }
        }
        xml += "</testsuites>\n"
        return xml
    }

    private static func testCount(_ lab: LabReport) -> Int { max(lab.checks.count, lab.error != nil || lab.skipped != nil ? 1 : 0) }
    private static func failureCount(_ lab: LabReport) -> Int { lab.error == nil ? lab.checks.filter { !$0.passed }.count : 0 }

    private static func kernelSuite(_ kernel: String, _ labs: [LabReport]) -> String {
        let tests = labs.reduce(0) { $0 + testCount($1) }
        let failures = labs.reduce(0) { $0 + failureCount($1) }
        let time = labs.reduce(0) { $0 + $1.durationSeconds }
        var xml = "  <testsuite name=\"\(XMLText.attribute("kernel " + kernel))\" tests=\"\(tests)\" failures=\"\(failures)\" "
            + "errors=\"\(labs.filter { $0.error != nil }.count)\" skipped=\"\(labs.filter { $0.skipped != nil }.count)\" time=\"\(seconds(time))\">\n"
        xml += "    <properties>\n      <property name=\"kernel\" value=\"\(XMLText.attribute(kernel))\"/>\n"
        for lab in labs { xml += "      <property name=\"\(XMLText.attribute("file." + lab.lab))\" value=\"\(XMLText.attribute(lab.file))\"/>\n" }
        xml += "    </properties>\n"
        for lab in labs { xml += testcases(lab) }
        let out = labs.flatMap { lab in
            ((lab.sequence?.lines ?? []) + lab.diagnosis.map { "diagnosis: \($0)" } + (lab.captureDirectory.map { ["capture: \($0)"] } ?? []))
                .map { "\(lab.lab): \($0)" }
        }
        if !out.isEmpty { xml += "    <system-out>\(XMLText.text(out.joined(separator: "\n")))</system-out>\n" }
        xml += "  </testsuite>\n"
        return xml
    }

    private static func suite(_ lab: LabReport) -> String {
        let name = XMLText.attribute(lab.lab)
        var xml = "  <testsuite name=\"\(name)\" tests=\"\(testCount(lab))\" failures=\"\(failureCount(lab))\" "
            + "errors=\"\(lab.error == nil ? 0 : 1)\" \(lab.skipped == nil ? "" : "skipped=\"1\" ")time=\"\(seconds(lab.durationSeconds))\">\n"
        xml += properties(lab)
        xml += testcases(lab)
        let out = (lab.sequence?.lines ?? []) + lab.diagnosis.map { "diagnosis: \($0)" }
            + (lab.captureDirectory.map { ["capture: \($0)"] } ?? [])
        if !out.isEmpty { xml += "    <system-out>\(XMLText.text(out.joined(separator: "\n")))</system-out>\n" }
        xml += "  </testsuite>\n"
        return xml
    }

    /// A skipped lab is one `run` testcase with `<skipped/>`; a lab that could not run one with `<error>`;
    /// otherwise one testcase per check.
    private static func testcases(_ lab: LabReport) -> String {
        let classname = XMLText.attribute("xdplab.\(lab.lab)")
        var xml = ""
        if let reason = lab.skipped {
            xml += "    <testcase classname=\"\(classname)\" name=\"run\" time=\"0\">\n"
            xml += "      <skipped message=\"\(XMLText.attribute(reason))\"/>\n"
            xml += "    </testcase>\n"
        } else if let error = lab.error {
            xml += "    <testcase classname=\"\(classname)\" name=\"run\" time=\"\(seconds(lab.durationSeconds))\">\n"
            xml += "      <error message=\"\(XMLText.attribute(firstLine(error)))\" type=\"lab-error\">\(XMLText.text(error))</error>\n"
            xml += "    </testcase>\n"
        } else {
            for check in lab.checks {
                xml += "    <testcase classname=\"\(classname)\" name=\"\(XMLText.attribute(check.name))\" time=\"0\">\n"
                if check.passed {
                    xml += "      <system-out>\(XMLText.text(outcome(check) + "\n" + check.detail))</system-out>\n"
                } else {
                    let body = check.detail + (lab.diagnosis.isEmpty ? "" : "\n\ndiagnosis:\n" + lab.diagnosis.map { "- \($0)" }.joined(separator: "\n"))
                    xml += "      <failure message=\"\(XMLText.attribute(outcome(check) + ": " + firstLine(check.detail)))\" "
                        + "type=\"\(check.judged ? "expected-\(check.expected.rawValue)" : "undecided")\">\(XMLText.text(body))</failure>\n"
                }
                xml += "    </testcase>\n"
            }
        }
        return xml
    }

    private static func properties(_ lab: LabReport) -> String {
        var pairs = [("file", lab.file)]
        if let directory = lab.captureDirectory { pairs.append(("captureDirectory", directory)) }
        let lines = pairs.map { "      <property name=\"\($0.0)\" value=\"\(XMLText.attribute($0.1))\"/>\n" }.joined()
        return "    <properties>\n\(lines)    </properties>\n"
    }

    /// "expected holds, violated" / "expected violated, but it held" / "could not be judged".
    static func outcome(_ check: CheckResult) -> String {
        guard check.judged else { return "expected \(check.expected.rawValue), could not be judged" }
        return "expected \(check.expected.rawValue), \(check.held ? "held" : "violated")"
    }

    private static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }
}
