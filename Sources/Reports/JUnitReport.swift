import Foundation
import Verification

/// JUnit XML for CI: one testsuite per lab, one testcase per check, classname `xdplab.<lab>`.
/// A check that did not come out as expected is a failure; a lab that could not run is one errored testcase.
public enum JUnitReport {
    public static func render(_ labs: [LabReport]) -> String {
        let tests = labs.reduce(0) { $0 + max($1.checks.count, $1.error == nil ? 0 : 1) }
        let failures = labs.reduce(0) { $0 + ($1.error == nil ? $1.checks.filter { !$0.passed }.count : 0) }
        let errors = labs.filter { $0.error != nil }.count
        let time = labs.reduce(0) { $0 + $1.durationSeconds }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"xdplab\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(seconds(time))\">\n"
        for lab in labs { xml += suite(lab) }
        xml += "</testsuites>\n"
        return xml
    }

    private static func suite(_ lab: LabReport) -> String {
        let name = XMLText.attribute(lab.lab)
        let classname = XMLText.attribute("xdplab.\(lab.lab)")
        var xml = ""
        if let error = lab.error {
            xml += "  <testsuite name=\"\(name)\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"\(seconds(lab.durationSeconds))\">\n"
            xml += properties(lab)
            xml += "    <testcase classname=\"\(classname)\" name=\"run\" time=\"\(seconds(lab.durationSeconds))\">\n"
            xml += "      <error message=\"\(XMLText.attribute(firstLine(error)))\" type=\"lab-error\">\(XMLText.text(error))</error>\n"
            xml += "    </testcase>\n"
        } else {
            let failures = lab.checks.filter { !$0.passed }.count
            xml += "  <testsuite name=\"\(name)\" tests=\"\(lab.checks.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(seconds(lab.durationSeconds))\">\n"
            xml += properties(lab)
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
        let out = (lab.sequence?.lines ?? []) + lab.diagnosis.map { "diagnosis: \($0)" }
            + (lab.captureDirectory.map { ["capture: \($0)"] } ?? [])
        if !out.isEmpty { xml += "    <system-out>\(XMLText.text(out.joined(separator: "\n")))</system-out>\n" }
        xml += "  </testsuite>\n"
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
