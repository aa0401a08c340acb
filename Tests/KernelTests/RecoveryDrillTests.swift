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
import Evidence

/// The shipped drills (Labs/recovery), run as they are: their timings are what is measured.
private enum Drills {
    static func lab(_ name: String) throws -> Lab {
        try LabLoader.load(path: Repository.root.appendingPathComponent("Labs/recovery/\(name).yaml").path)
    }
    static let exampleStackBuilt = FileManager.default.isExecutableFile(
        atPath: Repository.root.appendingPathComponent("Examples/stack/build/xdp-example-stack").path)
    static let ping = Command.which("ping") != nil
}

private func drillReport(_ name: String) throws -> LabReport {
    let captures = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: captures) }
    let report = run(try Drills.lab(name), captures: captures).report
    #expect(report.error == nil, "\(TerminalReport.summary([report], color: false))")
    #expect(leftovers(of: report).isEmpty)
    if let watchdog = report.recovery?.drill.watchdog {
        #expect(kill(watchdog.pid, 0) != 0, "the watchdog (pid \(watchdog.pid)) was ended")
    }
    if let directory = report.captureDirectory {
        #expect(FileManager.default.fileExists(atPath: "\(directory)/recovery.svg"))
    }
    return report
}

@Suite("Recovery drills: break the network on purpose and time the watchdog", .serialized,
       Probe.needs(tools: ["ip", "clang"], to: "build xdplab-<run>-* namespaces and load XDP"),
       .enabled(if: Drills.ping, "the shipped watchdogs ping the peer: apt-get install iputils-ping (scripts/bootstrap does)"))
struct RecoveryDrillTests {
    @Test("the seed's watchdog (5 s pings, 3 failures) brings SSH back, after a lockout its timings predict")
    func seedWatchdog() throws {
        let report = try drillReport("seed-watchdog")
        #expect(report.passed, "\(TerminalReport.summary([report], color: false))")
        let drill = try #require(report.recovery)
        let action = try #require(drill.drill.firstActionAfterBreak)
        #expect(action.program == "none")
        // A failed round is a 1 s ping and a 5 s sleep; the first failing ping starts 0–5 s after the break, and
        // the third fails 13 s after that: 13 to 18 s, plus process start-ups. A fourth failure would be 19 s.
        let acted = action.at - drill.drill.breakAt
        #expect(acted > 12.5 && acted < 19, "the watchdog acted \(acted)s after the break")
        let lockouts = drill.lockouts.compactMap(\.lockout)
        #expect(lockouts.count == 4)
        #expect(lockouts.allSatisfy { $0 >= acted && $0 < acted + 14 }, "SSH is back no sooner than the watchdog acts: \(lockouts)")
    }

    @Test("a 1 s watchdog on SSH's own peer meets a 10 s bound")
    func fastWatchdog() throws {
        let report = try drillReport("fast-watchdog")
        #expect(report.passed, "\(TerminalReport.summary([report], color: false))")
        let lockouts = try #require(report.recovery).lockouts.compactMap(\.lockout)
        #expect(lockouts.count == 4 && lockouts.allSatisfy { $0 < 8 }, "\(lockouts)")
        if ReportSchema.validatorAvailable {
            #expect(try ReportSchema.violations(of: JSONReport.render([report])).isEmpty, "a drill's report fits the schema")
        }
    }

    @Test("a watchdog that turns XDP off on the wrong interface fails recovers, with the reason; the manual script would have worked")
    func wrongInterface() throws {
        let report = try drillReport("wrong-nic-watchdog")
        #expect(report.passed, "recovers is declared violated: \(TerminalReport.summary([report], color: false))")
        let recovers = try #require(checkResult("recovers", in: report))
        #expect(!recovers.held)
        #expect(recovers.detail.contains("the watchdog never changed the interface's XDP program after the break"))
        #expect(recovers.detail.contains("enp1s0f0"), "its log names the interface it tried")
        #expect(recovers.detail.contains("never back"))
        let drill = try #require(report.recovery?.drill)
        #expect(drill.breakStillAttached)
        #expect(drill.onFailure?.contains("it would have restored the network") == true, "\(drill.onFailure ?? "")")
    }

    @Test("a drill on a command stack with by: stack-exit kills its process group; with the XDP_PASS fallback SSH lives on",
          .enabled(if: Drills.exampleStackBuilt, "the example stack is built by scripts/bootstrap"))
    func commandStackExit() throws {
        let report = try drillReport("command-stack-exit")
        #expect(report.passed, "\(TerminalReport.summary([report], color: false))")
        let drill = try #require(report.recovery?.drill)
        #expect(drill.breakAction.hasPrefix("killed the stack's process group"))
        #expect(report.evidence?.stackProcess?.exit == "killed by SIGKILL")
        #expect(try #require(report.recovery).lockouts.allSatisfy { $0.stalledAt == nil })
    }
}
