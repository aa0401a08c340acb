import Foundation
import Glibc
import Testing
import LabModel
import Orchestrator
import Realization
import SystemSupport
import Reports
import Verification
import TestSupport

private enum IncidentLibrary {
    static let folder = RepositoryPaths.path("Labs/incidents")

    /// The buggy labs in the folder, each with a `<name>-fixed.yaml` twin: a new incident is run without
    /// being listed here.
    static let incidents: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
        .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix("-fixed.yaml") }
        .map { String($0.dropLast(".yaml".count)) }.sorted()

    static func load(_ name: String) throws -> Lab {
        try LabLoader.load(path: "\(folder)/\(name).yaml")
    }

    static func run(_ lab: Lab) throws -> LabReport {
        let captures = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-incidents-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: captures) }
        return LabRunner.run(lab, options: RunOptions(capturesDirectory: captures, progress: { _ in .silent })).report
    }

    static func summary(_ report: LabReport) -> String { TerminalReport.summary([report], color: false) }
}

@Suite("Incident library", .serialized,
       Probe.labs)
struct IncidentLabTests {
    @Test("the library holds every known incident")
    func libraryIsComplete() {
        #expect(Set(IncidentLibrary.incidents).isSuperset(of: [
            "attach-before-register", "r0-negative-check", "second-attach-replaces", "queue-without-socket",
            "fixed-key-wrong-queue", "fill-ring-empty", "arp-dropped-ssh-stalls", "illegal-return-value", "map-ring-overwrite",
        ]))
    }

    @Test("every incident is detected: the buggy lab observes exactly the violations it declares",
          arguments: IncidentLibrary.incidents)
    func incidentIsDetected(_ name: String) throws {
        let lab = try IncidentLibrary.load(name)
        #expect(lab.expectations.contains { $0.outcome == .violated }, "an incident lab must declare a violation")
        let report = try IncidentLibrary.run(lab)
        #expect(report.error == nil)
        #expect(report.passed, "\(IncidentLibrary.summary(report))")
        #expect(!report.diagnosis.isEmpty, "an incident must come with a diagnosis")
    }

    @Test("the r0 < 0 incident's report says why the test is dead, from the program's instructions")
    func deadSignTestIsExplained() throws {
        let report = try IncidentLibrary.run(try IncidentLibrary.load("r0-negative-check"))
        let sentence = report.diagnosis.first { $0.contains("for a negative value") }
        #expect(sentence?.contains("never a negative errno") == true, "\(report.diagnosis)")
        #expect(sentence?.contains("translated program") == true)
    }

    @Test("every fix passes: the twin lab holds every check it lists", arguments: IncidentLibrary.incidents)
    func fixPasses(_ name: String) throws {
        let lab = try IncidentLibrary.load("\(name)-fixed")
        #expect(lab.expectations.allSatisfy { $0.outcome == .holds })
        let report = try IncidentLibrary.run(lab)
        #expect(report.passed, "\(IncidentLibrary.summary(report))")
    }

    @Test("removing the bug makes the incident lab fail: its declared violations are no longer observed",
          arguments: IncidentLibrary.incidents)
    func bugRemovalIsNoticed(_ name: String) throws {
        // The buggy lab's traffic and expectations with the fixed twin's stack (program, order, layout, fill ring).
        var lab = try IncidentLibrary.load(name)
        lab.stack = try IncidentLibrary.load("\(name)-fixed").stack
        let report = try IncidentLibrary.run(lab)
        #expect(report.error == nil)
        #expect(!report.passed, "without its bug, \(name) still showed every declared violation")
        let unobserved = report.checks.filter { $0.expected == .violated && $0.held }
        #expect(!unobserved.isEmpty)
    }
}
