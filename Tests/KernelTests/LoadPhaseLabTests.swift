import Foundation
import Glibc
import Testing
import SystemSupport
import Evidence
import LabModel
import Orchestrator
import Realization
import Reports
import Verification

private enum LoadProbe {
    static let canRunLabs: Bool = geteuid() == 0 && Command.which("ip") != nil && Command.which("clang") != nil
    static let labs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Labs").path

    static func run(_ lab: Lab) -> LabReport {
        let captures = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-load-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: captures) }
        return LabRunner.run(lab, options: RunOptions(capturesDirectory: captures, progress: { _ in .silent })).report
    }
}

@Suite("Load phase", .serialized,
       .enabled(if: LoadProbe.canRunLabs, "needs root, iproute2 and clang to build lab namespaces and load XDP"))
struct LoadPhaseLabTests {
    @Test("the gate under load: every copy of every class on every queue is accounted for, each on its own side")
    func gateAccountsForEveryPacket() throws {
        var lab = try LabLoader.load(path: "\(LoadProbe.labs)/gate/validator-ports-load.yaml")
        lab.traffic.load = LoadSpec(duration: 1, rate: 20_000)
        let report = LoadProbe.run(lab)
        let summary = TerminalReport.summary([report], color: false)
        #expect(report.error == nil && report.passed, "\(summary)")
        let load = try #require(report.load)
        #expect(load.requestedRate == "20000")
        // Paced: the sender never runs ahead of its schedule (one batch at most).
        #expect(load.offered > 0 && Double(load.offered) <= 20_000 * load.seconds + 32, "\(load.offered) in \(load.seconds) s")
        let sockets: Set<Int> = [0, 1]
        #expect(Set(load.templates.map(\.queue)) == [0, 1, 2, 3])
        #expect(Set(load.templates.map(\.trafficClass)) == Set(TrafficClass.allCases.map(\.rawValue)))
        for template in load.templates {
            let toSocket = template.matching && sockets.contains(template.queue)
            #expect(template.offered > 0, "\(template.flow) on queue \(template.queue) was never sent")
            // Every copy that reached XDP is in exactly one place: its socket or the kernel, never both, never neither.
            #expect(template.socket + template.kernel == template.reachedXDP,
                    "\(template.trafficClass) on queue \(template.queue): \(template)")
            #expect(toSocket ? template.kernel == 0 : template.socket == 0, "\(template)")
        }
        // The paced part is still judged from its pcap.
        #expect(report.packets.injected > 0 && report.packets.lost == 0)
    }

    @Test("a shallow fill ring loses packets only under load, and the kernel's counters explain every loss")
    func lossesAreExplained() throws {
        let lab = try LabLoader.load(path: "\(LoadProbe.labs)/incidents/fill-ring-empty-under-load.yaml")
        let report = LoadProbe.run(lab)
        #expect(report.error == nil && report.passed, "\(TerminalReport.summary([report], color: false))")
        let load = try #require(report.load)
        let lost = load.templates.reduce(0) { $0 + $1.lost }
        #expect(lost > 0)
        #expect(load.templates.filter { $0.lost > 0 }.allSatisfy { $0.matching && [0, 1].contains($0.queue) })
        let fillRingEmpty = load.losses.queues.reduce(0) { $0 + $1.fillRingEmpty }
        let enomem = load.losses.redirectErrors.first { $0.errno == ENOMEM }?.count ?? 0
        #expect(UInt64(lost) == fillRingEmpty && UInt64(lost) == enomem, "\(load.losses)")
        let paced = report.checks.filter { $0.name != "load-no-loss" }
        #expect(paced.allSatisfy { $0.held }, "the paced checks all hold")
    }
}
