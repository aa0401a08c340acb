import Foundation
import Testing
@testable import ProgramCheck

@Suite("check on the kernel: the reference program", .enabled(if: KernelProbe.ready, KernelProbe.reason))
struct ReferenceProgramTests {
    @Test("port_redirect.bpf.c passes the full matrix: both states, four queues, the corpus and the sweeps")
    func referencePasses() throws {
        let isolation = KernelProbe.isolation("reference")
        let report = try ProgramCheck.check(program: CheckFixtures.reference, options: CheckOptions(isolation: isolation))
        #expect(report.passed, "violations: \(report.violations.map { "\($0.caseName) \($0.state.name) \($0.verdict.name)" })")
        #expect(report.complete, "notes: \(report.notes)")
        #expect(report.states == [.empty, .registered])
        #expect(report.queuesRun == 4)
        #expect(report.frames == report.corpusCases - report.notRun.count + 3 * 65536)
        #expect(report.spreadFrames == 0, "every sweep value runs on every queue")
        #expect(report.runs == report.frames * 4 * 2)
        #expect(KernelProbe.noLeftovers(isolation))

        // What the table must show for a correct stack.
        let byClass = Dictionary(uniqueKeysWithValues: report.tallies.map { ($0.caseClass, $0) })
        let claimed = try #require(byClass[.udpValidatorPort])
        #expect(claimed.counts[SlotState.empty.rawValue][XDPVerdict.pass.bucket] == claimed.frames * 4)
        #expect(claimed.counts[SlotState.registered.rawValue][XDPVerdict.redirect.bucket] == claimed.frames * 4)
        let ssh = try #require(byClass[.ssh])
        #expect(ssh.counts[SlotState.registered.rawValue][XDPVerdict.pass.bucket] == ssh.frames * 4)
        let ports4 = try #require(byClass[.sweepUDP4])
        #expect(ports4.counts[SlotState.registered.rawValue][XDPVerdict.redirect.bucket] == 3 * 4, "8003-8005 on each queue")
        #expect(ports4.runs(.empty) == 65536 * 4)
        let etherTypes = try #require(byClass[.sweepEtherType])
        #expect(etherTypes.counts[SlotState.registered.rawValue][XDPVerdict.redirect.bucket] == 4, "only 0x0800 is claimed")

        #expect(report.lint.count == 1)
        #expect(report.lint.first?.map == "xsks_map")
        #expect(report.lint.first?.flags == [2])
        #expect(report.lint.first?.fallsBackToPass == true)
    }

    @Test("the one-call API for the lab runner's pre-flight step")
    func summary() throws {
        let before = Self.checkNamespaces()
        let summary = try ProgramCheck.run(objectPath: CheckFixtures.reference, ports: [8003, 8004, 8005], queues: 2)
        #expect(summary.passed)
        #expect(summary.text.hasPrefix("check port_redirect.bpf.c: passed"), "\(summary.text)")
        // Passed on both states: a check that fell back to the empty slot alone (no namespace, no sockets) passes
        // this program too, and says so only in its notes.
        #expect(summary.report.states == [.empty, .registered] && summary.report.complete, "notes: \(summary.report.notes)")
        #expect(summary.text.contains("× 2 states"), "\(summary.text)")
        #expect(summary.report.spreadFrames > 0, "the pre-flight spreads sweep values over the queues: \(summary.text)")
        let failing = try ProgramCheck.run(objectPath: CheckFixtures.program("flags_zero.bpf.c"), ports: [8003], queues: 1)
        #expect(!failing.passed)
        #expect(failing.text.contains("FAILED") && failing.text.contains("udp4-to-8003"), "\(failing.text)")
        // Nothing of ours stays behind: no check namespace that was not there before (other checks may run beside).
        let ours = Self.checkNamespaces().subtracting(before)
        #expect(ours.isEmpty, "\(ours)")
    }

    private static func checkNamespaces() -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns"))?.filter { $0.hasSuffix("-check") } ?? [])
    }

    @Test("without a namespace of its own the check still runs the empty state, and says why")
    func degraded() throws {
        let report = try ProgramCheck.check(program: CheckFixtures.reference,
                                            options: CheckOptions(queues: 1, isolation: .currentNamespace))
        #expect(report.states == [.empty])
        #expect(!report.complete)
        #expect(report.passed)
        #expect(report.notes.contains { $0.contains("only the empty state ran") })
        #expect(CheckJUnitReport.render(report).contains("<skipped message="))
    }

    @Test("a compiled .o works like its source, and --save-frames writes exactly the frames that ran")
    func objectAndFrames() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-tcheck-\(getpid())-frames").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let options = CheckOptions(queues: 1, isolation: KernelProbe.isolation("object"), workDirectory: folder,
                                   framesFile: "\(folder)/frames.bin")
        let fromSource = try ProgramCheck.check(program: CheckFixtures.reference, options: options)
        #expect(fromSource.objectPath == "\(folder)/port_redirect.bpf.o")
        let fromObject = try ProgramCheck.check(program: fromSource.objectPath,
                                                options: CheckOptions(queues: 1, isolation: KernelProbe.isolation("object")))
        #expect(fromObject.passed && fromObject.tallies == fromSource.tallies)
        for report in [fromSource, fromObject] {
            #expect(report.states == [.empty, .registered] && report.complete, "notes: \(report.notes)")
            let claimed = try #require(report.tallies.first { $0.caseClass == .udpValidatorPort })
            #expect(claimed.counts[SlotState.registered.rawValue][XDPVerdict.redirect.bucket] == claimed.frames,
                    "the registered state ran and redirected every claimed frame")
        }
        let file = try #require(FrameFile.read("\(folder)/frames.bin"))
        #expect(file.frames.count == fromSource.frames)
        #expect(file.everyQueue == fromSource.frames - fromSource.spreadFrames)
        #expect(file.frames.allSatisfy { $0.count >= 14 })
    }

    @Test("--spread-sweeps runs each sweep value on one queue in turn, the corpus still on every queue")
    func spreadSweeps() throws {
        let report = try ProgramCheck.check(program: CheckFixtures.reference,
                                            options: CheckOptions(queues: 2, isolation: KernelProbe.isolation("spread"),
                                                                  sweepQueues: .spread))
        #expect(report.passed && report.spreadFrames == 3 * 65536)
        #expect(report.states == [.empty, .registered] && report.complete, "notes: \(report.notes)")
        #expect(report.runs == ((report.frames - report.spreadFrames) * 2 + report.spreadFrames) * 2)
        #expect(report.scopeText.contains("196,608 sweep values spread over the queues"))
        let ports6 = try #require(report.tallies.first { $0.caseClass == .sweepUDP6 })
        #expect(ports6.counts[SlotState.registered.rawValue][XDPVerdict.redirect.bucket] == 3)
    }
}
