import Foundation
import Glibc
import Testing
import LabModel
import Orchestrator
import Realization
import SystemSupport
import Reports
import Sequencing
import Verification

/// Root and the tools a real lab needs; probed once, shown as the skip reason otherwise.
private enum SequenceLabProbe {
    static let canRunLabs: Bool = geteuid() == 0 && Command.which("ip") != nil && Command.which("clang") != nil
}

/// The shipped sequence labs, found from this file.
private enum SequenceLabs {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static let gate = path("Labs/gate/sequence-afxdp.yaml")
    static let overwrite = path("Labs/incidents/map-ring-overwrite.yaml")
    static let fixed = path("Labs/incidents/map-ring-overwrite-fixed.yaml")
}

/// Runs a lab into a captures folder of its own and checks that the run left no namespace behind. Other
/// suites build labs at the same time, so only this run's namespaces count: its id ends the run folder's name.
private func run(_ lab: Lab) throws -> (report: LabReport, captures: String) {
    let captures = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-tseqlab-\(UUID().uuidString)").path
    let outcome = LabRunner.run(lab, options: RunOptions(capturesDirectory: captures, progress: { _ in .silent }))
    #expect(outcome.report.error == nil, "the lab could not run: \(outcome.report.error ?? "")")
    let folder = try #require(outcome.report.captureDirectory)
    let runID = String(folder.split(separator: "-").last ?? "")
    #expect(runID.count == 6)
    let leftovers = Ownership.existingNamespaces().filter { Ownership.runID(ofNamespace: $0) == runID }
    #expect(leftovers.isEmpty, "namespaces left behind: \(leftovers)")
    return (outcome.report, captures)
}

private func sequence(of report: LabReport) throws -> SequenceSummary { try #require(report.sequence) }

private func check(_ name: String, in report: LabReport) throws -> CheckResultView {
    let result = try #require(report.checks.first { $0.name == name }, "no check \(name)")
    return CheckResultView(held: result.held, judged: result.judged, passed: result.passed, detail: result.detail)
}

private struct CheckResultView {
    let held: Bool, judged: Bool, passed: Bool, detail: String
}

@Suite("sequence labs end to end", .serialized,
       .enabled(if: SequenceLabProbe.canRunLabs, "needs root, iproute2 and clang to build lab namespaces and load XDP"))
struct SequenceLabTests {
    /// The gate: paced traffic into the AF_XDP socket arrives complete and in order.
    @Test func gateLabPasses() throws {
        var lab = try LabLoader.load(path: SequenceLabs.gate)
        lab.traffic.sequence?.extent = .duration(1_500_000_000)
        let (report, captures) = try run(lab)
        defer { try? FileManager.default.removeItem(atPath: captures) }
        #expect(report.passed, "\(TerminalReport.summary([report], color: false))")
        let summary = try sequence(of: report)
        #expect(summary.receiver == "af-xdp" && summary.lost == 0 && summary.outOfOrder == 0)
        #expect(summary.received == summary.sent && summary.sent > 0)
        #expect(summary.latency != nil, "the AF_XDP poller stamps every arrival")
        #expect(report.packets.xsk == summary.sent && report.packets.kernel == 0)
    }

    /// The incident: after one consumer stall the overwriting ring delivers out of order for the rest of the run,
    /// and the ring watch leaves its samples and picture beside the capture.
    @Test func overwriteRingReordersAfterTheStall() throws {
        let (report, captures) = try run(try LabLoader.load(path: SequenceLabs.overwrite))
        defer { try? FileManager.default.removeItem(atPath: captures) }
        #expect(report.passed, "\(TerminalReport.summary([report], color: false))")
        let summary = try sequence(of: report)
        #expect(summary.outOfOrder > 0)
        #expect(summary.gaps.contains { $0.hasPrefix("missed -") }, "the reader jumps back: \(summary.gaps)")
        let order = try check("in-order", in: report)
        #expect(!order.held && order.passed)
        // Reordering goes on long after the stall (1 s…1.1 s of a 3 s run): the last gap is in the last second.
        #expect(report.diagnosis.first?.hasPrefix("The map ring's write index ran ahead of what it stored") == true)
        let samplesPath = try #require(summary.ringSamples)
        let samples = try RingSample.parse(csv: String(contentsOfFile: samplesPath, encoding: .utf8))
        #expect(samples.count > 100)
        #expect(samples.contains { $0.stalled && $0.occupied == $0.ringSize }, "the stall fills the ring")
        #expect(samples.last.map { $0.writeIndex > $0.readIndex + UInt64($0.occupied) } == true,
                "the write index ends ahead of everything the reader can still reach")
        let picture = try String(contentsOfFile: try #require(summary.ringPicture), encoding: .utf8)
        #expect(picture.hasPrefix("<svg") && picture.contains("map-ring-overwrite"))
        // Every sample's slot states: one digit per slot; after the run the passed-by packets still sit there.
        let slots = try String(contentsOfFile: try #require(summary.ringSlots), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }
        #expect(slots.count == samples.count && slots.allSatisfy { $0.count == 64 })
        #expect(slots.last.map { $0.filter { $0 == "1" }.count } == samples.last?.occupied)
    }

    /// The fix: the same stall loses packets while it lasts, and order holds before and after.
    @Test func fixedRingLosesDuringTheStallOnly() throws {
        let (report, captures) = try run(try LabLoader.load(path: SequenceLabs.fixed))
        defer { try? FileManager.default.removeItem(atPath: captures) }
        #expect(report.passed, "\(TerminalReport.summary([report], color: false))")
        let summary = try sequence(of: report)
        #expect(summary.outOfOrder == 0 && summary.duplicated == 0)
        #expect(summary.lost > 0, "a 100 ms stall with one packet per ms overflows a 64-slot ring")
        #expect(summary.lostOutsideFaults == 0 && summary.lostDuringFaults == summary.lost)
        #expect(summary.discontinuities == 1)
        #expect(summary.faults.count == 1)
        let samples = try RingSample.parse(csv: String(contentsOfFile: try #require(summary.ringSamples), encoding: .utf8))
        #expect(samples.allSatisfy { $0.writeIndex <= $0.readIndex + UInt64($0.ringSize) },
                "the fixed ring never moves its write index more than a lap ahead of the reader")
        #expect(samples.last.map { $0.writeIndex == $0.readIndex + UInt64($0.occupied) } == true,
                "once the run is over, every slot the writer passed is read or still full")
    }

    /// The kernel UDP socket on the same lab: a stall overflows its receive buffer, loss stays inside the
    /// stall, the kernel says why (RcvbufErrors), and order holds.
    @Test func udpSocketLosesDuringAStallOnly() throws {
        var lab = try LabLoader.load(path: SequenceLabs.gate)
        lab.traffic.sequence?.receiver = .udpSocket
        lab.traffic.sequence?.port = 9000
        lab.traffic.sequence?.pacing = .interval(50_000)
        lab.traffic.sequence?.extent = .duration(1_500_000_000)
        lab.traffic.sequence?.faults = [.stallConsumer(at: 500_000_000, duration: 200_000_000)]
        lab.traffic.sequence?.maxLoss = .duringFaults
        let (report, captures) = try run(lab)
        defer { try? FileManager.default.removeItem(atPath: captures) }
        #expect(report.passed, "\(TerminalReport.summary([report], color: false))")
        let summary = try sequence(of: report)
        #expect(summary.receiver == "udp-socket" && summary.outOfOrder == 0)
        #expect(summary.lost > 0, "4000 datagrams in 200 ms do not fit a default receive buffer")
        #expect(summary.counters.contains { $0.hasPrefix("Udp RcvbufErrors +") && !$0.hasSuffix("+0") })
        #expect(report.diagnosis.contains { $0.contains("Udp RcvbufErrors") })
    }

    /// Every fault against the AF_XDP socket: a late registration and a detached program send packets to the
    /// kernel instead (the capture sees them), a stall overflows the RX ring; order holds throughout.
    @Test func afXDPFaultsLoseOnlyWhileInForce() throws {
        var lab = try LabLoader.load(path: SequenceLabs.gate)
        lab.traffic.sequence?.pacing = .interval(50_000)
        lab.traffic.sequence?.extent = .duration(2_000_000_000)
        lab.traffic.sequence?.faults = [
            .delayRegistration(300_000_000),
            .stallConsumer(at: 800_000_000, duration: 200_000_000),
            .reattach(at: 1_400_000_000, duration: 100_000_000),
        ]
        lab.traffic.sequence?.maxLoss = .duringFaults
        let (report, captures) = try run(lab)
        defer { try? FileManager.default.removeItem(atPath: captures) }
        #expect(report.passed, "\(TerminalReport.summary([report], color: false))")
        let summary = try sequence(of: report)
        #expect(summary.outOfOrder == 0 && summary.lost > 0 && summary.lostOutsideFaults == 0)
        #expect(Set(summary.faults.map(\.what)) == ["receiver not registered", "consumer stalled", "program detached"])
        #expect(summary.reachedKernel > 0, "without a registered socket or an attached program, XDP passes them on")
        #expect(report.diagnosis.contains { $0.contains("reached the kernel instead") })
    }
}
