import Foundation
import Glibc
import Testing
import CLibBPF
import AFXDPStack
import BPFSupport
import Realization
import SystemSupport
import KernelObservation
import XSKSockets
@testable import ProgramCheck

/// A stack that is not xdplab's: ip(8), a separate process and another loader, attaches the program in
/// generic mode to `a0` (four queues) in a namespace of this test's own; the test then plays the stack's
/// control plane, filling `validator_ports` and registering AF_XDP sockets in `xsks_map` through map
/// descriptors it opens by id, as any process could. `remove()` deletes the namespace (the tests call it in a
/// `defer`), which takes the program and its attachment with it.
private final class ForeignStack {
    static let queues = 4
    static let ports: [UInt16] = [8003, 8004, 8005]
    let namespace = "xdplab-tcheck-att-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    let work = NSTemporaryDirectory() + "xdplab-tcheck-att-\(getpid())-\(UUID().uuidString.prefix(8))"
    private var sockets: [IdleXSKSocket] = []

    init() throws {
        try Command.checked("ip", ["netns", "add", namespace])
        do {
            let q = "\(Self.queues)"
            try Command.checked("ip", ["-n", namespace, "link", "add", "a0", "numtxqueues", q, "numrxqueues", q, "type", "veth",
                                       "peer", "name", "a1", "numtxqueues", q, "numrxqueues", q])
            for device in ["a0", "a1"] { try Command.checked("ip", ["-n", namespace, "link", "set", "dev", device, "up"]) }
        } catch {
            remove()
            throw error
        }
    }

    func remove() {
        sockets.forEach { $0.close() }
        sockets.removeAll()
        _ = try? Command.run("ip", ["netns", "del", namespace])
        try? FileManager.default.removeItem(atPath: work)
    }

    var gone: Bool { !FileManager.default.fileExists(atPath: NetworkNamespace.path(namespace)) }

    /// Compiles `source` and has ip(8) attach it in generic mode, replacing whatever was attached; fills its
    /// ports unless told not to.
    func attach(_ source: String, fillPorts: Bool = true) throws -> AttachedProgram {
        let object = try BPFCompiler.object(for: source, outputDirectory: work)
        _ = try? Command.run("ip", ["-n", namespace, "link", "set", "dev", "a0", "xdpgeneric", "off"])
        try Command.checked("ip", ["-n", namespace, "link", "set", "dev", "a0", "xdpgeneric", "obj", object, "sec", "xdp"])
        let program = try #require(try AttachedPrograms.xdp(namespace: namespace, interface: "a0"))
        guard fillPorts else { return program }
        try withMap("validator_ports", of: program) { fd in
            for port in Self.ports {
                var key = UInt32(port), one: UInt8 = 1
                try negativeErrno("write port \(port)", bpf_map_update_elem(fd, &key, &one, UInt64(BPF_ANY)))
            }
        }
        return program
    }

    /// One AF_XDP socket bound to each of `queues` (kept from an earlier call: a queue takes one socket, and
    /// a new one right after closing the old can meet EBUSY), written into the program's xsks_map at key = queue.
    func register(queues: [Int], in program: AttachedProgram) throws {
        let missing = queues.filter { queue in !sockets.contains { $0.queue == queue } }
        sockets += try NetworkNamespace.run(namespace) { try missing.map { try IdleXSKSocket(interface: "a0", queue: $0) } }
        try withMap("xsks_map", of: program) { fd in
            for socket in sockets where queues.contains(socket.queue) {
                var key = UInt32(socket.queue), value = UInt32(bitPattern: socket.fd)
                try negativeErrno("register queue \(socket.queue)", bpf_map_update_elem(fd, &key, &value, UInt64(BPF_ANY)))
            }
        }
    }

    private func withMap(_ name: String, of program: AttachedProgram, _ body: (Int32) throws -> Void) throws {
        let id = try #require(try program.mapIDs.first { try BPFMapInfo(id: $0).name == name })
        let fd = try negativeErrno("open map \(name)", bpf_map_get_fd_by_id(id))
        defer { close(fd) }
        try body(fd)
    }
}

@Suite("check --attached: a live program loaded by another process, its map never touched", .serialized,
       .enabled(if: KernelProbe.ready && Command.which("ip") != nil, KernelProbe.reason))
struct AttachedCheckTests {
    static let flagsZero = CheckFixtures.repository.appendingPathComponent("Labs/programs/incidents/redirect_flags0.bpf.c").path

    func check(_ target: AttachedTarget, label: String) throws -> CheckReport {
        let isolation = KernelProbe.isolation(label)
        let report = try ProgramCheck.check(attached: target, options: CheckOptions(ports: ForeignStack.ports, isolation: isolation))
        #expect(KernelProbe.noLeftovers(isolation), "the scratch namespace is gone")
        return report
    }

    func find(_ report: CheckReport, _ name: String, _ state: SlotState) -> CheckViolation? {
        report.violations.first { $0.caseName == name && $0.state == state }
    }

    @Test("no socket bound anywhere (ip(8) registers none): flags 0 ABORTs matching frames on every queue; the reference passes")
    func everyQueueEmpty() throws {
        let stack = try ForeignStack()
        defer { stack.remove() }
        let buggy = try stack.attach(Self.flagsZero)
        let report = try check(.interface("a0", namespace: stack.namespace), label: "att-empty")
        #expect(!report.passed)
        #expect(report.complete, "notes: \(report.notes)")
        let attached = try #require(report.attached)
        #expect(attached.program == buggy)
        #expect(attached.program.mode == .generic)
        #expect(attached.xskMap?.name == "xsks_map")
        #expect(attached.interfaceQueues == 4 && attached.registeredQueues.isEmpty && attached.emptyQueues == [0, 1, 2, 3])
        #expect(attached.beyond == nil && attached.sockets.isEmpty)
        #expect(report.states == [.empty])
        for name in ["udp4-to-8003", "udp6-to-8005"] {
            #expect(find(report, name, .empty)?.verdict == .aborted, "\(name)")
            #expect(find(report, name, .empty)?.queues == [0, 1, 2, 3], "\(name)")
        }
        #expect(report.violations.allSatisfy { $0.state == .empty && $0.verdict == .aborted && $0.expectation != .pass })
        #expect(report.lint.map(\.flags) == [[0]], "the lint reads the kernel's translated instructions")
        #expect(report.notes.contains { $0.contains("no AF_XDP socket is bound to a0") })
        #expect(!report.notes.contains { $0.contains("validator_ports") }, "its map claims exactly the ports judged by")
        let text = CheckTerminalReport.render(report, color: false)
        #expect(text.contains("checked attached to \(stack.namespace):a0 (generic)"))
        #expect(text.contains("id \(buggy.id) · tag \(buggy.tag)"))
        #expect(text.contains("queues 0-3 slot empty"))
        #expect(CheckJSONReport.render(report).contains("\"mapWritten\" : false"))

        let reference = try stack.attach(CheckFixtures.reference)
        #expect(reference.id != buggy.id)
        let fixed = try check(.interface("a0", namespace: stack.namespace), label: "att-empty-ref")
        #expect(fixed.passed, "violations: \(fixed.violations.map { "\($0.caseName) \($0.state.name) \($0.verdict.name)" })")
        #expect(fixed.attached?.program.id == reference.id)
        #expect(fixed.lint.first?.fallsBackToPass == true)
        stack.remove()
        #expect(stack.gone)
    }

    @Test("a socket on every queue: the registered state on the interface, the empty state on a queue beyond it, where flags 0 shows")
    func everyQueueRegistered() throws {
        let stack = try ForeignStack()
        defer { stack.remove() }
        let buggy = try stack.attach(Self.flagsZero)
        try stack.register(queues: [0, 1, 2, 3], in: buggy)
        let ifindex = try NetworkNamespace.run(stack.namespace) { Int32(bitPattern: if_nametoindex("a0")) }

        let report = try check(.interface("a0", namespace: stack.namespace), label: "att-full")
        let attached = try #require(report.attached)
        #expect(attached.registeredQueues == [0, 1, 2, 3] && attached.emptyQueues.isEmpty)
        #expect(attached.sockets.map(\.queue) == [0, 1, 2, 3])
        let beyond = try #require(attached.beyond)
        #expect(beyond.queue == 4)
        #expect(beyond.ifindex == ifindex, "the scratch veth has the interface's ifindex")
        #expect(report.complete, "notes: \(report.notes)")
        #expect(report.states == [.empty, .registered])
        #expect(!report.passed)
        for name in ["udp4-to-8003", "udp6-to-8004"] {
            let violation = find(report, name, .empty)
            #expect(violation?.verdict == .aborted, "\(name)")
            #expect(violation?.queues == [4], "\(name): the empty state ran only beyond the interface")
        }
        #expect(report.violations.allSatisfy { $0.state == .empty && $0.queues == [4] })
        #expect(report.notes.contains { $0.contains("empty state ran on queue 4, beyond the interface's 4 RX queues") })
        #expect(CheckTerminalReport.render(report, color: false).contains("queue 4, beyond the interface"))

        // Matching frames were redirected on every registered queue; the map still holds the sockets
        // (the check wrote nothing), so a second check sees exactly the same.
        let claimed = try #require(report.tallies.first { $0.caseClass == .udpValidatorPort })
        #expect(claimed.counts[SlotState.registered.rawValue][XDPVerdict.redirect.bucket] > 0)
        let again = try check(.interface("a0", namespace: stack.namespace), label: "att-full-again")
        #expect(again.violations == report.violations)
        #expect(again.tallies == report.tallies)

        let reference = try stack.attach(CheckFixtures.reference)
        try stack.register(queues: [0, 1, 2, 3], in: reference)
        let fixed = try check(.interface("a0", namespace: stack.namespace), label: "att-full-ref")
        #expect(fixed.passed, "violations: \(fixed.violations.map { "\($0.caseName) \($0.state.name) \($0.verdict.name)" })")
        #expect(fixed.complete && fixed.attached?.beyond?.queue == 4)
        stack.remove()
        #expect(stack.gone)
    }

    @Test("some queues registered: each queue runs in its own live state on the interface")
    func mixed() throws {
        let stack = try ForeignStack()
        defer { stack.remove() }
        let buggy = try stack.attach(Self.flagsZero)
        try stack.register(queues: [0, 2], in: buggy)
        let report = try check(.interface("a0", namespace: stack.namespace), label: "att-mixed")
        let attached = try #require(report.attached)
        #expect(attached.registeredQueues == [0, 2] && attached.emptyQueues == [1, 3] && attached.beyond == nil)
        #expect(find(report, "udp4-to-8003", .empty)?.queues == [1, 3])
        #expect(find(report, "udp4-to-8003", .registered) == nil)
        #expect(report.runs == (report.frames - report.spreadFrames) * 4 + report.spreadFrames * 2)
    }

    @Test("by id alone: the empty state on every queue of a scratch veth; incomplete, as the registered state needs an interface")
    func byID() throws {
        let stack = try ForeignStack()
        defer { stack.remove() }
        let buggy = try stack.attach(Self.flagsZero)
        let report = try check(.program(id: buggy.id), label: "att-id")
        #expect(!report.passed && !report.complete)
        #expect(report.attached?.program.id == buggy.id)
        #expect(report.attached?.program.mode == nil && report.attached?.interface == nil)
        #expect(find(report, "udp4-to-8003", .empty)?.queues == [0, 1, 2, 3])
        #expect(report.notes.contains { $0.contains("checked by id alone") })
    }

    @Test("what cannot be checked says so: no program attached, no such id, no such namespace or interface")
    func badTargets() throws {
        let stack = try ForeignStack()
        defer { stack.remove() }
        let options = CheckOptions(ports: ForeignStack.ports, isolation: KernelProbe.isolation("att-bad"))
        func failure(_ target: AttachedTarget) -> CheckFailure? {
            do {
                _ = try ProgramCheck.check(attached: target, options: options)
                return nil
            } catch {
                return error as? CheckFailure
            }
        }
        let none = failure(.interface("a0", namespace: stack.namespace))
        #expect(none?.kind == .badInput && none?.description.contains("no XDP program is attached to a0") == true, "\(String(describing: none))")
        let noID = failure(.program(id: UInt32.max))
        #expect(noID?.kind == .badInput && noID?.description.contains("no loaded BPF program has id") == true, "\(String(describing: noID))")
        let noNamespace = failure(.interface("a0", namespace: stack.namespace + "-missing"))
        #expect(noNamespace?.kind == .badInput, "\(String(describing: noNamespace))")
        let noInterface = failure(.interface("nosuch0", namespace: stack.namespace))
        #expect(noInterface?.kind == .badInput, "\(String(describing: noInterface))")
    }

    @Test("a program whose own validator_ports claims nothing: it passes everything, and the report says why")
    func portsNotFilled() throws {
        let stack = try ForeignStack()
        defer { stack.remove() }
        _ = try stack.attach(Self.flagsZero, fillPorts: false)
        let report = try check(.interface("a0", namespace: stack.namespace), label: "att-noports")
        #expect(report.passed, "nothing matches, so the flags-0 fallback is never reached")
        #expect(report.notes.contains { $0.contains("its validator_ports map claims no port") })
    }

    @Test("a redirect guarded by a lookup of its slot: the lint finds the guard where the verifier inlined the lookup")
    func guardedRedirect() throws {
        let stack = try ForeignStack()
        defer { stack.remove() }
        _ = try stack.attach(CheckFixtures.program("guarded_flags_zero.bpf.c"))
        try stack.register(queues: [0, 1], in: try #require(try AttachedPrograms.xdp(namespace: stack.namespace, interface: "a0")))
        let report = try check(.interface("a0", namespace: stack.namespace), label: "att-guard")
        #expect(report.passed, "violations: \(report.violations.map { "\($0.caseName) \($0.state.name) \($0.verdict.name)" })")
        #expect(report.states.contains(.empty) && report.states.contains(.registered))
        #expect(report.lint.count == 1)
        #expect(report.lint.first?.flags == [0])
        #expect(report.lint.first?.guardedBy != nil, "\(report.lint.map(\.summary))")
    }

    @Test("the lab runner's one-call API")
    func summary() throws {
        let stack = try ForeignStack()
        defer { stack.remove() }
        _ = try stack.attach(Self.flagsZero)
        let summary = try ProgramCheck.checkAttached(namespace: stack.namespace, interface: "a0", ports: ForeignStack.ports)
        #expect(!summary.passed)
        #expect(summary.text.hasPrefix("check redirect_flags0 (id "))
        #expect(summary.text.contains("attached): FAILED"))
    }
}
