import Foundation
import Verification

/// JUnit XML for CI: one testsuite per lab, one testcase per check, classname `xdplab.<lab>`.
/// A check that did not come out as expected is a failure; a lab that could not run is one errored testcase;
/// a lab file with problems is one errored testcase in the suite `lab files`, its message the problems'
/// `file:line:column` lines.
///
/// Times: the checks of a lab are judged together from one run, so each check's testcase gets an equal share of
/// the lab's time, and the testcases of a suite add up to the suite's time (which CI pages sum).
public enum JUnitReport {
    public static func render(_ labs: [LabReport], labFileErrors: [LabFileProblems] = [],
                              context: ReportContext = ReportContext()) -> String {
        let tests = labs.reduce(0) { $0 + max($1.checks.count, $1.error == nil ? 0 : 1) } + labFileErrors.count
        let failures = labs.reduce(0) { $0 + ($1.error == nil ? $1.checks.filter { !$0.passed }.count : 0) }
        let errors = labs.filter { $0.error != nil }.count + labFileErrors.count
        let time = labs.reduce(0) { $0 + $1.durationSeconds }
        let timestamp = ReportContext.timestamp(context.startedAt)
        let hostname = XMLText.attribute(context.hostname)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"xdplab\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" "
            + "time=\"\(seconds(time))\" timestamp=\"\(timestamp)\">\n"
        if !labFileErrors.isEmpty { xml += fileSuite(labFileErrors, timestamp: timestamp, hostname: hostname) }
        for lab in labs { xml += suite(lab, timestamp: lab.startedAt ?? timestamp, hostname: hostname) }
        xml += "</testsuites>\n"
        return xml
    }

    /// One errored testcase per lab file that could not be read, named by its path.
    private static func fileSuite(_ files: [LabFileProblems], timestamp: String, hostname: String) -> String {
        var xml = "  <testsuite name=\"lab files\" tests=\"\(files.count)\" failures=\"0\" errors=\"\(files.count)\" "
            + "time=\"0.000\" timestamp=\"\(timestamp)\" hostname=\"\(hostname)\">\n"
        for file in files {
            let path = XMLText.attribute(file.file)
            let line = file.problems.first.map { " line=\"\($0.line)\"" } ?? ""
            let count = file.problems.count + file.more
            xml += "    <testcase classname=\"xdplab.lab-files\" name=\"\(path)\" time=\"0.000\" file=\"\(path)\"\(line)>\n"
            xml += "      <error message=\"\(XMLText.attribute(file.lines.first ?? file.file))\" type=\"lab-file\">"
                + XMLText.text("\(count) problem\(count == 1 ? "" : "s"):\n" + file.lines.joined(separator: "\n"))
                + "</error>\n"
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n"
        return xml
    }

    private static func suite(_ lab: LabReport, timestamp: String, hostname: String) -> String {
        let name = XMLText.attribute(lab.lab)
        let classname = XMLText.attribute("xdplab.\(lab.lab)")
        let file = XMLText.attribute(lab.file)
        let stamp = "timestamp=\"\(XMLText.attribute(timestamp))\" hostname=\"\(hostname)\""
        var xml = ""
        if let error = lab.error {
            let type = (lab.errorKind ?? .error).rawValue
            xml += "  <testsuite name=\"\(name)\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"\(seconds(lab.durationSeconds))\" \(stamp)>\n"
            xml += properties(lab)
            xml += "    <testcase classname=\"\(classname)\" name=\"run\" time=\"\(seconds(lab.durationSeconds))\" file=\"\(file)\">\n"
            xml += "      <error message=\"\(XMLText.attribute(firstLine(error)))\" type=\"\(type)\">\(XMLText.text(error))</error>\n"
            xml += "    </testcase>\n"
        } else {
            let failures = lab.checks.filter { !$0.passed }.count
            let share = lab.checks.isEmpty ? 0 : lab.durationSeconds / Double(lab.checks.count)
            xml += "  <testsuite name=\"\(name)\" tests=\"\(lab.checks.count)\" failures=\"\(failures)\" errors=\"0\" "
                + "time=\"\(seconds(lab.durationSeconds))\" \(stamp)>\n"
            xml += properties(lab)
            for check in lab.checks {
                xml += "    <testcase classname=\"\(classname)\" name=\"\(XMLText.attribute(check.name))\" time=\"\(seconds(share))\" "
                    + "file=\"\(file)\">\n"
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
