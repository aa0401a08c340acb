import Foundation
import Testing
@testable import ProgramCheck

/// The lint recognises a `bpf_redirect_map` call that only runs after a lookup of the same slot found a socket
/// (the xdp-tutorial's AF_XDP pattern), and keeps reporting calls that some path reaches without one.
@Suite("lint: redirects guarded by a lookup of the same slot")
struct GuardLintTests {
    typealias I = LintTests
    static func load32(_ dst: UInt8, _ src: UInt8, _ offset: Int16) -> BPFInstruction {
        BPFInstruction(code: 0x61, dst: dst, src: src, offset: offset)
    }
    static func store32(_ base: UInt8, _ offset: Int16, _ src: UInt8) -> BPFInstruction {
        BPFInstruction(code: 0x63, dst: base, src: src, offset: offset)
    }
    static func storeImmediate32(_ base: UInt8, _ offset: Int16, _ value: Int32) -> BPFInstruction {
        BPFInstruction(code: 0x62, dst: base, offset: offset, imm: value)
    }
    static func addImmediate(_ dst: UInt8, _ value: Int32) -> BPFInstruction { BPFInstruction(code: 0x07, dst: dst, imm: value) }
    static func ifNotEqual(_ dst: UInt8, _ imm: Int32, _ offset: Int16) -> BPFInstruction {
        BPFInstruction(code: 0x55, dst: dst, offset: offset, imm: imm)
    }
    static let lookup = I.call(RedirectGuard.lookupHelper)

    /// `r6 = ctx`, the key (`ctx->rx_queue_index` unless told) on the stack at fp-4, then
    /// `bpf_map_lookup_elem(map, &key)` at instruction 7.
    static func lookUp(keyFrom key: [BPFInstruction] = [load32(2, 6, 16)], lookupMap: Int32 = 7) -> [BPFInstruction] {
        [I.movRegister(6, 1)] + key + [store32(10, -4, 2), I.movRegister(2, 10), addImmediate(2, -4)]
            + I.loadMap(1, fd: lookupMap) + [lookup]
    }

    /// The xdp-tutorial's shape, as clang emits it: the lookup, its result tested against NULL (the NULL case
    /// returns XDP_PASS), then the key reloaded from the stack and the redirect with flags 0 at instruction 15.
    static func tutorial(between: [BPFInstruction] = [], nullJumpsToRedirect: Bool = false, lookupMap: Int32 = 7,
                         key: [BPFInstruction] = [load32(2, 6, 16)],
                         redirectKey: [BPFInstruction] = [load32(2, 10, -4)]) -> [BPFInstruction] {
        let redirect = between + redirectKey + I.loadMap(1, fd: 7) + [I.mov(3, 0), I.redirect]
        let skip = Int16(redirect.count)
        let test = [I.movRegister(1, 0), I.mov(0, 2), nullJumpsToRedirect ? ifNotEqual(1, 0, skip) : I.ifEqual(1, 0, skip)]
        return lookUp(keyFrom: key, lookupMap: lookupMap) + test + redirect + [I.exit]
    }

    /// The same program with its first conditional jump made a no-op (jumping by 0).
    static func withoutSkip(_ program: [BPFInstruction]) -> [BPFInstruction] {
        var copy = program
        copy[4] = I.ifEqual(4, 3, 0)
        return copy
    }

    func only(_ program: [BPFInstruction], xskMaps: Set<Int32>? = nil) throws -> RedirectLint.Call {
        let calls = RedirectLint.calls(in: program, mapNames: [7: "xsks_map"], translatedXSKMaps: xskMaps)
        #expect(calls.count == 1)
        return try #require(calls.first)
    }

    @Test("the lookup's non-NULL branch leads to the call, the key reloaded from the stack slot the lookup read")
    func tutorialPattern() throws {
        let call = try only(Self.tutorial())
        #expect(call.guardedBy == 7, "the lookup is the call at instruction 7")
        #expect(call.flags == [0])
        #expect(call.emptySlotIsSafe && !call.fallsBackToPass)
        #expect(call.summary == "instruction 15: bpf_redirect_map(xsks_map, key, 0): guarded by a lookup of the same slot "
                + "(instruction 7): an empty slot never reaches the call; flags 0 only matters if the socket goes away "
                + "between lookup and redirect")
    }

    @Test("the key kept in a callee-saved register, the test written `if r0 != 0`")
    func keyInRegister() throws {
        let program = [Self.load32(6, 1, 16), Self.store32(10, -4, 6), I.movRegister(2, 10), Self.addImmediate(2, -4)]
            + I.loadMap(1, fd: 7) + [Self.lookup, Self.ifNotEqual(0, 0, 2), I.mov(0, 2), I.exit,
                                     I.movRegister(2, 6)] + I.loadMap(1, fd: 7) + [I.mov(3, 0), I.redirect, I.exit]
        #expect(try only(program).guardedBy == 6)
    }

    @Test("a constant key, the same on both sides")
    func constantKey() throws {
        let program = [Self.storeImmediate32(10, -4, 0), I.movRegister(2, 10), Self.addImmediate(2, -4)] + I.loadMap(1, fd: 7)
            + [Self.lookup, I.ifEqual(0, 0, 5), I.mov(2, 0)] + I.loadMap(1, fd: 7) + [I.mov(3, 0), I.redirect, I.exit]
        #expect(try only(program).guardedBy == 5)
    }

    @Test("the call on the NULL branch is not guarded")
    func nullBranch() throws {
        let call = try only(Self.tutorial(nullJumpsToRedirect: true))
        #expect(call.guardedBy == nil)
        #expect(call.summary.hasSuffix("an empty slot gives XDP_ABORTED"))
    }

    @Test("a guard on another key: slot 0 looked up, the queue's own slot redirected to")
    func otherKey() throws {
        #expect(try only(Self.tutorial(key: [I.mov(2, 0)])).guardedBy == 7, "slot 0 both times")
        #expect(try only(Self.tutorial(key: [I.mov(2, 0)], redirectKey: [Self.load32(2, 6, 16)])).guardedBy == nil)
    }

    @Test("a lookup in another map guards nothing")
    func otherMap() throws {
        #expect(try only(Self.tutorial(lookupMap: 8)).guardedBy == nil)
    }

    @Test("the key slot written between the lookup and the call")
    func slotOverwritten() throws {
        let overwrite = [Self.load32(4, 6, 20), Self.store32(10, -4, 4)]
        #expect(try only(Self.tutorial(between: overwrite)).guardedBy == nil)
    }

    @Test("a helper that gets the slot's address may write it")
    func slotPassedToHelper() throws {
        let helper = [I.movRegister(1, 10), Self.addImmediate(1, -4), I.mov(2, 4), I.call(6)]
        #expect(try only(Self.tutorial(between: helper)).guardedBy == nil)
    }

    @Test("the packet's data pointer is no key: bpf_xdp_adjust_head moves it")
    func dataIsNoKey() throws {
        #expect(try only(Self.tutorial(key: [Self.load32(2, 6, 0)])).guardedBy == nil)
    }

    @Test("a path that skips the lookup leaves the call unguarded")
    func pathWithoutLookup() throws {
        // The key on the stack, then: if (ctx->ingress_ifindex == 3) goto redirect; else look it up first.
        let program = [I.movRegister(6, 1), Self.load32(4, 6, 12), Self.load32(2, 6, 16), Self.store32(10, -4, 2),
                       I.ifEqual(4, 3, 8), I.movRegister(2, 10), Self.addImmediate(2, -4)] + I.loadMap(1, fd: 7)
            + [Self.lookup, I.movRegister(1, 0), I.mov(0, 2), I.ifEqual(1, 0, 5),
               Self.load32(2, 10, -4)] + I.loadMap(1, fd: 7) + [I.mov(3, 0), I.redirect, I.exit]
        #expect(try only(Self.withoutSkip(program)).guardedBy == 9, "without the shortcut the lookup guards it")
        #expect(try only(program).guardedBy == nil)
    }

    @Test("in a live program's translated instructions the verifier has inlined the XSKMAP lookup")
    func translatedInlinedLookup() throws {
        // xsk_map_gen_lookup: r0 = *(u32 *)(r2 + 0); if r0 >= 64 goto +5; r0 <<= 3; r1 += 304; r0 += r1;
        // r0 = *(u64 *)(r0 + 0); goto +1; r0 = 0. The context field as the verifier rewrote it: rxq, then queue_index.
        let key = [BPFInstruction(code: 0x79, dst: 2, src: 1, offset: 32), Self.load32(2, 2, 0)]
        let inlined = [Self.load32(0, 2, 0), BPFInstruction(code: 0x35, dst: 0, offset: 5, imm: 64),
                       BPFInstruction(code: 0x67, dst: 0, imm: 3), Self.addImmediate(1, 304),
                       BPFInstruction(code: 0x0F, dst: 0, src: 1), BPFInstruction(code: 0x79, dst: 0, src: 0),
                       I.goto(1), I.mov(0, 0)]
        let redirect = [Self.load32(2, 10, -4)] + I.loadMap(1, fd: 7) + [I.mov(3, 0), I.call(-12345)]
        let program = key + [Self.store32(10, -4, 2), I.movRegister(2, 10), Self.addImmediate(2, -4)] + I.loadMap(1, fd: 7)
            + inlined + [I.ifEqual(0, 0, Int16(redirect.count))] + redirect + [I.exit]
        #expect(try only(program, xskMaps: [7]).guardedBy == 7, "the inlined lookup starts at instruction 7")
        var broken = program
        broken[8] = BPFInstruction(code: 0x35, dst: 0, offset: 4, imm: 64)
        #expect(try only(broken, xskMaps: [7]).guardedBy == nil, "anything else is not taken for a lookup")
    }
}

/// The fixtures through the whole check: the guarded program passes (an empty slot falls through to its last
/// `return XDP_PASS`), the partly guarded one and the guard on another slot fail, and the lint says which is which.
@Suite("check on the kernel: guarded redirects", .enabled(if: KernelProbe.ready, KernelProbe.reason))
struct GuardedProgramTests {
    func check(_ fixture: String) throws -> CheckReport {
        let isolation = KernelProbe.isolation(String(fixture.prefix(12)))
        let report = try ProgramCheck.check(program: CheckFixtures.program(fixture),
                                            options: CheckOptions(queues: 2, isolation: isolation))
        #expect(KernelProbe.noLeftovers(isolation))
        #expect(report.complete, "notes: \(report.notes)")
        return report
    }

    @Test("the xdp-tutorial pattern with flags 0: the check passes, and the lint names the guard instead of XDP_ABORTED")
    func guarded() throws {
        let report = try check("guarded_flags_zero.bpf.c")
        #expect(report.passed, "violations: \(report.violations.map { "\($0.caseName) \($0.state.name) \($0.verdict.name)" })")
        #expect(report.lint.count == 1)
        let call = try #require(report.lint.first)
        #expect(call.flags == [0] && call.guardedBy != nil && call.emptySlotIsSafe)
        let text = CheckTerminalReport.render(report, color: false)
        #expect(text.contains("guarded by a lookup of the same slot"))
        #expect(!text.contains("an empty slot gives XDP_ABORTED"))
        #expect(ProgramNotes.notes(objectPath: CheckFixtures.program("guarded_flags_zero.bpf.c"), ports: report.ports, queues: 2).isEmpty,
                "a failing lab's diagnosis must not blame the guarded call")
    }

    @Test("a lookup on one path only: the other validator ports abort on an empty slot, and the lint still says so")
    func partlyGuarded() throws {
        let report = try check("partly_guarded_flags_zero.bpf.c")
        #expect(!report.passed)
        #expect(report.violations.allSatisfy { $0.state == .empty && $0.verdict == .aborted })
        #expect(report.violations.contains { $0.caseName == "udp4-to-8004" })
        #expect(!report.violations.contains { $0.caseName == "udp4-to-8003" }, "8003 is the guarded path")
        #expect(report.lint.first?.guardedBy == nil)
        #expect(report.lint.first?.summary.hasSuffix("an empty slot gives XDP_ABORTED") == true)
    }

    @Test("a guard on slot 0 for a redirect to the queue's own slot: unguarded, and wrong on queue 1")
    func otherKey() throws {
        let report = try check("guard_other_key.bpf.c")
        #expect(!report.passed)
        #expect(report.lint.first?.guardedBy == nil)
        #expect(report.lint.first?.emptySlotIsSafe == false)
    }
}
