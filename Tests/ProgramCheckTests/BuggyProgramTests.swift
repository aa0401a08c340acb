import Foundation
import Testing
@testable import ProgramCheck

/// Each buggy fixture must fail, and the report must name the cases that show its bug, in the right state,
/// on the right queues, with the right verdict.
@Suite("check on the kernel: buggy programs fail with the right cases named", .enabled(if: KernelProbe.ready, KernelProbe.reason))
struct BuggyProgramTests {
    /// Two queues keep these runs short; fixed_key uses three.
    static let queues = 2

    func check(_ fixture: String, queues: Int = queues, sweepQueues: CheckOptions.SweepQueues = .every) throws -> CheckReport {
        let isolation = KernelProbe.isolation(String(fixture.prefix(12)))
        let report = try ProgramCheck.check(program: CheckFixtures.program(fixture),
                                            options: CheckOptions(queues: queues, isolation: isolation, sweepQueues: sweepQueues))
        #expect(KernelProbe.noLeftovers(isolation))
        #expect(report.complete, "notes: \(report.notes)")
        return report
    }

    func find(_ report: CheckReport, _ name: String, _ state: SlotState) -> CheckViolation? {
        report.violations.first { $0.caseName == name && $0.state == state }
    }

    @Test("threads share the runs but never change a verdict: one thread and four give the same matrix")
    func threadsAgree() throws {
        var reports: [CheckReport] = []
        for threads in [1, 4] {
            let isolation = KernelProbe.isolation("threads\(threads)")
            reports.append(try ProgramCheck.check(program: CheckFixtures.program("fixed_key.bpf.c"),
                                                  options: CheckOptions(queues: 3, isolation: isolation, threads: threads)))
            #expect(KernelProbe.noLeftovers(isolation))
        }
        #expect(reports[0].runs == reports[1].runs && reports[0].runs > 0)
        #expect(reports[0].violations == reports[1].violations && !reports[0].violations.isEmpty)
        #expect(reports[0].tallies == reports[1].tallies)
    }

    @Test("flags 0: matching frames ABORT with an empty slot, on every queue; the lint says so")
    func flagsZero() throws {
        let report = try check("flags_zero.bpf.c")
        #expect(!report.passed)
        for name in ["udp4-to-8003", "udp6-to-8005", "ipv4-router-alert-udp-to-8003", "udp4-dport-8003…8005", "udp6-dport-8003…8005"] {
            let violation = find(report, name, .empty)
            #expect(violation?.verdict == .aborted, "\(name): \(String(describing: violation))")
            #expect(violation?.queues == [0, 1])
        }
        #expect(report.violations.allSatisfy { $0.state == .empty && $0.verdict == .aborted })
        #expect(report.violations.allSatisfy { $0.expectation != .pass }, "only matching frames may break")
        #expect(report.lint.map(\.flags) == [[0]])
        #expect(report.lint.first?.fallbacks == ["XDP_ABORTED"])
    }

    @Test("fixed key 0: with sockets registered, matching frames and sweep values on queues other than 0 are not claimed")
    func fixedKey() throws {
        let report = try check("fixed_key.bpf.c", queues: 3)
        #expect(!report.passed)
        for name in ["udp4-to-8003", "udp6-to-8004", "udp4-dport-8003…8005", "udp6-dport-8003…8005"] {
            let violation = find(report, name, .registered)
            #expect(violation?.verdict == .pass, "\(name): \(String(describing: violation))")
            #expect(violation?.queues == [1, 2])
        }
        #expect(report.violations.allSatisfy { $0.state == .registered && !$0.queues.contains(0) })
    }

    @Test("fixed key 0 with --spread-sweeps: each sweep value shows the bug only where its one queue is not 0")
    func fixedKeySpread() throws {
        let report = try check("fixed_key.bpf.c", queues: 3, sweepQueues: .spread)
        #expect(!report.passed)
        for name in ["udp4-to-8003", "udp6-to-8004"] {
            let violation = find(report, name, .registered)
            #expect(violation?.verdict == .pass, "\(name): \(String(describing: violation))")
            #expect(violation?.queues == [1, 2])
        }
        // Sweep values take the queues in turn, continuing from one sweep to the next: on three queues the
        // IPv4 ports 8003-8005 land on queues 2, 0, 1, the IPv6 ones one further (65,536 mod 3 = 1): 0, 1, 2.
        // Queue 0 is where key 0 is right, so exactly the others show the bug.
        #expect(find(report, "udp4-dport-8003", .registered)?.queues == [2])
        #expect(find(report, "udp4-dport-8004", .registered) == nil)
        #expect(find(report, "udp4-dport-8005", .registered)?.queues == [1])
        #expect(find(report, "udp6-dport-8004…8005", .registered)?.queues == [1, 2])
        #expect(report.violations.allSatisfy { $0.state == .registered && !$0.queues.contains(0) })
        #expect(report.lint.first?.fallsBackToPass == true)
    }

    @Test("drops ARP: ARP requests and replies and the ARP EtherType DROP in both states")
    func dropsARP() throws {
        let report = try check("drops_arp.bpf.c")
        #expect(!report.passed)
        for name in ["arp-request", "arp-reply", "arp-gratuitous", "arp-request-with-trailer", "runt-arp-request-unpadded",
                     "ethertype-0x0806"] {
            for state in SlotState.allCases {
                #expect(find(report, name, state)?.verdict == .drop, "\(name) \(state.name)")
            }
        }
        #expect(Set(report.violations.map(\.caseClass)).isSubset(of: [.arp, .runt, .truncated, .sweepEtherType]))
        #expect(report.violations.allSatisfy { $0.verdict == .drop })
        // Tagged ARP goes on to the kernel: the program only looks at the outer EtherType.
        #expect(find(report, "vlan-100-arp-request", .empty) == nil)
    }

    @Test("returns -2 for IPv4 with options: an illegal value, named with the option cases")
    func illegalReturn() throws {
        let report = try check("illegal_return.bpf.c")
        #expect(!report.passed)
        let minusTwo = XDPVerdict.illegal(UInt32(bitPattern: -2))
        for name in ["ipv4-router-alert-udp-to-8003", "ipv4-40-option-bytes-udp-to-8003", "ipv4-router-alert-udp-to-53"] {
            #expect(find(report, name, .empty)?.verdict == minusTwo, "\(name)")
            #expect(find(report, name, .registered)?.verdict == minusTwo, "\(name)")
        }
        #expect(find(report, "udp4-to-8003", .registered) == nil)
        #expect(report.violations.allSatisfy { $0.verdict == minusTwo })
        #expect(report.violations.first?.why.contains("not an XDP action") == true)
        #expect(CheckTerminalReport.render(report, color: false).contains("illegal -2"))
    }

    @Test("a port range one too long: the sweeps and the neighbour-port cases catch 8006")
    func offByOne() throws {
        let report = try check("off_by_one.bpf.c")
        #expect(!report.passed)
        for name in ["udp4-dport-8006", "udp6-dport-8006", "udp4-to-8006", "udp6-to-8006"] {
            #expect(find(report, name, .registered)?.verdict == .redirect, "\(name)")
        }
        // With every slot empty the fallback hides the bug: only the registered state can show it.
        #expect(report.violations.allSatisfy { $0.state == .registered })
    }

    @Test("no fragment check: first fragments and decoy later fragments are claimed")
    func ignoresFragments() throws {
        let report = try check("ignores_fragments.bpf.c")
        #expect(!report.passed)
        for name in ["ipv4-first-fragment-udp-to-8003", "ipv4-middle-fragment-udp-to-8003", "ipv4-last-fragment-udp-to-8003"] {
            #expect(find(report, name, .registered)?.verdict == .redirect, "\(name)")
        }
        #expect(report.violations.allSatisfy { $0.caseClass == .ipv4Fragment })
    }

    @Test("flags from a global: verdicts are right, and the lint says the flags are computed at run time")
    func runtimeFlags() throws {
        let report = try check("runtime_flags.bpf.c")
        #expect(report.passed)
        #expect(report.lint.count == 1)
        #expect(report.lint.first?.computedAtRunTime == true)
        #expect(report.lint.first?.summary.contains("computed at run time") == true)
    }
}
