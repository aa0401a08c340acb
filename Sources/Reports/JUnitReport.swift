import Foundation
import Verification
import TextOutput
import LabModel

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
        let tests = labs.reduce(0) { $0 + testCount($1) } + labFileErrors.count
        let failures = labs.reduce(0) { $0 + failureCount($1) }
        let errors = labs.filter { $0.error != nil }.count + labFileErrors.count
        let skipped = labs.filter { $0.skipped != nil }.count
        let time = labs.reduce(0) { $0 + $1.durationSeconds }
        let timestamp = ReportContext.timestamp(context.startedAt)
        let hostname = XMLText.attribute(context.hostname)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"xdplab\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" "
            + "skipped=\"\(skipped)\" time=\"\(seconds(time))\" timestamp=\"\(timestamp)\">\n"
        if !labFileErrors.isEmpty { xml += fileSuite(labFileErrors, timestamp: timestamp, hostname: hostname) }
        if labs.contains(where: { $0.kernel != nil }) {
            // A kernel matrix: one testsuite per kernel, holding every lab's testcases.
            var order: [String] = []
            for lab in labs where !order.contains(lab.kernel ?? "host") { order.append(lab.kernel ?? "host") }
            for kernel in order {
                xml += kernelSuite(kernel, labs.filter { ($0.kernel ?? "host") == kernel }, timestamp: timestamp, hostname: hostname)
            }
        } else {
            for lab in labs { xml += suite(lab, timestamp: lab.startedAt ?? timestamp, hostname: hostname) }
        }
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

    private static func testCount(_ lab: LabReport) -> Int {
        max(lab.checks.count, lab.error != nil || lab.skipped != nil ? 1 : 0)
    }

    private static func failureCount(_ lab: LabReport) -> Int {
        lab.error == nil ? lab.checks.filter { !$0.passed }.count : 0
    }

    private static func suite(_ lab: LabReport, timestamp: String, hostname: String) -> String {
        let stamp = "timestamp=\"\(XMLText.attribute(timestamp))\" hostname=\"\(hostname)\""
        var xml = "  <testsuite name=\"\(XMLText.attribute(lab.lab))\" tests=\"\(testCount(lab))\" failures=\"\(failureCount(lab))\" "
            + "errors=\"\(lab.error == nil ? 0 : 1)\" skipped=\"\(lab.skipped == nil ? 0 : 1)\" "
            + "time=\"\(seconds(lab.durationSeconds))\" \(stamp)>\n"
        xml += properties(lab)
        xml += testcases(lab)
        xml += output([lab])
        xml += "  </testsuite>\n"
        return xml
    }

    /// Every lab that ran on one kernel, in one testsuite named `kernel <name>`.
    private static func kernelSuite(_ kernel: String, _ labs: [LabReport], timestamp: String, hostname: String) -> String {
        let time = labs.reduce(0) { $0 + $1.durationSeconds }
        var xml = "  <testsuite name=\"\(XMLText.attribute("kernel " + kernel))\" tests=\"\(labs.reduce(0) { $0 + testCount($1) })\" "
            + "failures=\"\(labs.reduce(0) { $0 + failureCount($1) })\" errors=\"\(labs.filter { $0.error != nil }.count)\" "
            + "skipped=\"\(labs.filter { $0.skipped != nil }.count)\" time=\"\(seconds(time))\" "
            + "timestamp=\"\(XMLText.attribute(timestamp))\" hostname=\"\(hostname)\">\n"
        xml += "    <properties>\n      <property name=\"kernel\" value=\"\(XMLText.attribute(kernel))\"/>\n"
        for lab in labs { xml += "      <property name=\"\(XMLText.attribute("file." + lab.lab))\" value=\"\(XMLText.attribute(lab.file))\"/>\n" }
        xml += "    </properties>\n"
        for lab in labs { xml += testcases(lab) }
        xml += output(labs)
        xml += "  </testsuite>\n"
        return xml
    }

    /// A skipped lab is one `run` testcase with `<skipped/>`, a lab that could not run one with `<error>`, any
    /// other lab one testcase per check, each with an equal share of the lab's time.
    private static func testcases(_ lab: LabReport) -> String {
        let classname = XMLText.attribute("xdplab.\(lab.lab)")
        let file = XMLText.attribute(lab.file)
        var xml = ""
        if let reason = lab.skipped {
            xml += "    <testcase classname=\"\(classname)\" name=\"run\" time=\"0.000\" file=\"\(file)\">\n"
            xml += "      <skipped message=\"\(XMLText.attribute(reason))\"/>\n"
            xml += "    </testcase>\n"
        } else if let error = lab.error {
            let type = (lab.errorKind ?? .error).rawValue
            xml += "    <testcase classname=\"\(classname)\" name=\"run\" time=\"\(seconds(lab.durationSeconds))\" file=\"\(file)\">\n"
            xml += "      <error message=\"\(XMLText.attribute(firstLine(error)))\" type=\"\(type)\">\(XMLText.text(error))</error>\n"
            xml += "    </testcase>\n"
        } else {
            let share = lab.checks.isEmpty ? 0 : lab.durationSeconds / Double(lab.checks.count)
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
        return xml
    }

    /// The sequence lines, diagnosis and capture folder of `labs`, prefixed with the lab's name when there are several.
    private static func output(_ labs: [LabReport]) -> String {
        let out = labs.flatMap { lab in
            ((lab.sequence?.lines ?? []) + lab.diagnosis.map { "diagnosis: \($0)" } + (lab.captureDirectory.map { ["capture: \($0)"] } ?? []))
                .map { labs.count == 1 ? $0 : "\(lab.lab): \($0)" }
        }
        return out.isEmpty ? "" : "    <system-out>\(XMLText.text(out.joined(separator: "\n")))</system-out>\n"
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
