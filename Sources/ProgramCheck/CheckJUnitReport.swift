import Foundation
import TextOutput
import KernelObservation
import LabModel

/// JUnit XML for CI: one testsuite for the program, one testcase per class × state (a failure lists that
/// cell's violations with their frames), a skipped testcase for a state that could not run, and the lint
/// as a testcase of its own. A check that could not run at all is one errored testcase.
public enum CheckJUnitReport {
    public static func render(_ report: CheckReport) -> String {
        let name = URL(fileURLWithPath: report.program).lastPathComponent
        let classname = XMLText.attribute("xdplab.check.\(name)")
        var cases: [String] = []
        var failures = 0, skipped = 0
        for tally in report.tallies {
            for state in SlotState.allCases {
                let title = XMLText.attribute("\(tally.caseClass.rawValue) · \(state.title)")
                var xml = "    <testcase classname=\"\(classname)\" name=\"\(title)\" time=\"0\">\n"
                if !report.states.contains(state) {
                    skipped += 1
                    let why = report.notes.joined(separator: "; ")
                    xml += "      <skipped message=\"\(XMLText.attribute(why.isEmpty ? "state not run" : why))\"/>\n"
                } else if tally.violations[state.rawValue] > 0 {
                    failures += 1
                    let found = report.violations.filter { $0.caseClass == tally.caseClass && $0.state == state }
                    xml += "      <failure message=\"\(tally.violations[state.rawValue]) runs broke the rules\" type=\"verdict\">"
                        + XMLText.text(found.map(text).joined(separator: "\n\n")) + "</failure>\n"
                } else {
                    xml += "      <system-out>\(XMLText.text(CheckTerminalReport.cell(tally, state)))</system-out>\n"
                }
                xml += "    </testcase>\n"
                cases.append(xml)
            }
        }
        let lintText = report.lint.isEmpty ? "no bpf_redirect_map call found" : report.lint.map(\.summary).joined(separator: "\n")
        cases.append("    <testcase classname=\"\(classname)\" name=\"lint · bpf_redirect_map fallback\" time=\"0\">\n"
                     + "      <system-out>\(XMLText.text(lintText))</system-out>\n    </testcase>\n")
        var xml = header(tests: cases.count, failures: failures, errors: 0, skipped: skipped, time: report.timing.total)
        xml += "  <testsuite name=\"\(XMLText.attribute(name))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" "
            + "skipped=\"\(skipped)\" time=\"\(seconds(report.timing.total))\">\n"
        xml += "    <properties>\n"
        var properties = [("program", report.program), ("ports", PortRanges.text(report.ports, separator: ", ")),
                          ("queues", "\(report.queuesRun)"), ("runs", "\(report.runs)"),
                          ("runsPerSecond", String(format: "%.0f", report.rate))]
        if let attached = report.attached {
            properties += [("attached", attached.interface.map { "\(attached.namespace ?? ""):\($0)" } ?? "by id"),
                           ("programID", "\(attached.program.id)"), ("programTag", attached.program.tag),
                           ("mapWritten", "false"),
                           ("registeredQueues", AttachedCheck.queueList(attached.registeredQueues)),
                           ("emptyQueues", AttachedCheck.queueList(attached.emptyQueues + (attached.beyond.map { [$0.queue] } ?? [])))]
        }
        for (key, value) in properties {
            xml += "      <property name=\"\(key)\" value=\"\(XMLText.attribute(value))\"/>\n"
        }
        xml += "    </properties>\n"
        xml += cases.joined()
        let out = report.notes.map { "note: \($0)" } + ["rate: " + CheckTerminalReport.rateLine(report)]
        xml += "    <system-out>\(XMLText.text(out.joined(separator: "\n")))</system-out>\n"
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    public static func render(program: String, error: String) -> String {
        let name = URL(fileURLWithPath: program).lastPathComponent
        var xml = header(tests: 1, failures: 0, errors: 1, skipped: 0, time: 0)
        xml += "  <testsuite name=\"\(XMLText.attribute(name))\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"0.000\">\n"
        xml += "    <testcase classname=\"\(XMLText.attribute("xdplab.check.\(name)"))\" name=\"check\" time=\"0\">\n"
        let first = error.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? error
        xml += "      <error message=\"\(XMLText.attribute(first))\" type=\"check-error\">\(XMLText.text(error))</error>\n"
        xml += "    </testcase>\n  </testsuite>\n</testsuites>\n"
        return xml
    }

    private static func header(tests: Int, failures: Int, errors: Int, skipped: Int, time: Double) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"xdplab check\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" "
            + "skipped=\"\(skipped)\" time=\"\(seconds(time))\">\n"
    }

    private static func text(_ violation: CheckViolation) -> String {
        return "\(violation.caseName)\(violation.valuesText), \(violation.queueText): \(violation.verdict.name), allowed "
            + violation.allowed.map(\.name).joined(separator: " or ") + "\n" + violation.why + "\n"
            + HexDump.lines(violation.frame).joined(separator: "\n")
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }
}
