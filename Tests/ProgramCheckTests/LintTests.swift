import Foundation
import Testing
import BPFSupport
@testable import ProgramCheck

@Suite("lint: the fallback of each bpf_redirect_map call")
struct LintTests {
    // Hand-assembled instructions (opcodes of include/uapi/linux/bpf.h).
    static func mov(_ dst: UInt8, _ imm: Int32) -> BPFInstruction { BPFInstruction(code: 0xB7, dst: dst, imm: imm) }
    static func mov32(_ dst: UInt8, _ imm: Int32) -> BPFInstruction { BPFInstruction(code: 0xB4, dst: dst, imm: imm) }
    static func movRegister(_ dst: UInt8, _ src: UInt8) -> BPFInstruction { BPFInstruction(code: 0xBF, dst: dst, src: src) }
    static func call(_ helper: Int32) -> BPFInstruction { BPFInstruction(code: 0x85, imm: helper) }
    static func callSubprogram(_ offset: Int32) -> BPFInstruction { BPFInstruction(code: 0x85, src: 1, imm: offset) }
    static let redirect = call(BPFInstruction.redirectMapHelper)
    static let exit = BPFInstruction(code: 0x95)
    static func goto(_ offset: Int16) -> BPFInstruction { BPFInstruction(code: 0x05, offset: offset) }
    static func ifEqual(_ dst: UInt8, _ imm: Int32, _ offset: Int16) -> BPFInstruction {
        BPFInstruction(code: 0x15, dst: dst, offset: offset, imm: imm)
    }
    static func loadMap(_ dst: UInt8, fd: Int32) -> [BPFInstruction] {
        [BPFInstruction(code: 0x18, dst: dst, src: 1, imm: fd), BPFInstruction(code: 0)]
    }
    static func load64(_ dst: UInt8, _ value: UInt64) -> [BPFInstruction] {
        [BPFInstruction(code: 0x18, dst: dst, imm: Int32(bitPattern: UInt32(value & 0xFFFF_FFFF))),
         BPFInstruction(code: 0, imm: Int32(bitPattern: UInt32(value >> 32)))]
    }

    func flags(_ program: [BPFInstruction]) -> [([UInt64], Bool)] {
        RedirectLint.calls(in: program).map { ($0.flags, $0.computedAtRunTime) }
    }

    @Test("a constant, and the map it redirects into")
    func constant() {
        let program = Self.loadMap(1, fd: 7) + [Self.mov(2, 0), Self.mov(3, 2), Self.redirect, Self.exit]
        let calls = RedirectLint.calls(in: program, mapNames: [7: "xsks_map"])
        #expect(calls == [RedirectLint.Call(instruction: 4, map: "xsks_map", flags: [2], computedAtRunTime: false)])
        #expect(calls.first?.summary == "instruction 4: bpf_redirect_map(xsks_map, key, 2): an empty slot gives XDP_PASS")
        #expect(calls.first?.fallsBackToPass == true)
    }

    @Test("two paths with different flags")
    func branches() {
        let program = [Self.ifEqual(1, 0, 2), Self.mov(3, 0), Self.goto(1), Self.mov(3, 2), Self.redirect, Self.exit]
        let calls = RedirectLint.calls(in: program)
        #expect(calls.first?.flags == [0, 2])
        #expect(calls.first?.fallsBackToPass == false)
        #expect(calls.first?.summary.contains("flags 0 → XDP_ABORTED; flags 2 → XDP_PASS") == true)
    }

    @Test("copies are followed; memory, clobbering calls and arithmetic are run-time values")
    func runTime() {
        #expect(flags([Self.mov(4, 1), Self.movRegister(3, 4), Self.redirect, Self.exit]).first! == ([1], false))
        let stack = BPFInstruction(code: 0x79, dst: 3, src: 10, offset: -8)
        #expect(flags([stack, Self.redirect, Self.exit]).first! == ([], true))
        #expect(flags([Self.mov(3, 2), Self.call(1), Self.redirect, Self.exit]).first! == ([], true))
        let add = BPFInstruction(code: 0x07, dst: 3, imm: 1)
        #expect(flags([Self.mov(3, 1), add, Self.redirect, Self.exit]).first! == ([], true))
        #expect(flags([Self.redirect, Self.exit]).first! == ([], true), "r3 undefined at the entry")
    }

    @Test("flags passed into a BPF-to-BPF subprogram by each of its callers")
    func subprogram() {
        let one = [Self.mov(3, 2), Self.callSubprogram(1), Self.exit, Self.redirect, Self.exit]
        #expect(flags(one).first! == ([2], false))
        let two = [Self.mov(3, 0), Self.callSubprogram(3), Self.mov(3, 2), Self.callSubprogram(1), Self.exit,
                   Self.redirect, Self.exit]
        #expect(flags(two).first! == ([0, 2], false))
    }

    @Test("32-bit and 64-bit constants; bits beyond the action abort every call")
    func wideConstants() {
        #expect(flags([Self.mov32(3, -1), Self.redirect, Self.exit]).first! == ([0xFFFF_FFFF], false))
        #expect(flags(Self.load64(3, 0x1_0000_0002) + [Self.redirect, Self.exit]).first! == ([0x1_0000_0002], false))
        #expect(RedirectLint.fallback(0x1_0000_0002).hasPrefix("XDP_ABORTED on every call"))
        #expect((0...3).map { RedirectLint.fallback($0) } == ["XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX"])
    }

    @Test("no call, no finding; other helpers are not redirects")
    func none() {
        #expect(RedirectLint.calls(in: [Self.mov(0, 2), Self.exit]).isEmpty)
        #expect(RedirectLint.calls(in: [Self.mov(3, 0), Self.call(23), Self.exit]).isEmpty)
    }

    @Test("compiled fixtures, as clang emits them", .enabled(if: KernelProbe.hasClang, KernelProbe.clangReason), arguments: [
        ("port_redirect", [UInt64(2)], false), ("flags_zero", [0], false), ("fixed_key", [2], false),
        ("runtime_flags", [], true),
    ])
    func compiled(name: String, expected: [UInt64], runTime: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-tcheck-lint-\(name)-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = name == "port_redirect" ? CheckFixtures.reference : CheckFixtures.program("\(name).bpf.c")
        let object = try BPFObject(path: try BPFCompiler.object(for: source, outputDirectory: folder))
        let program = try #require(object.xdpProgram)
        let calls = RedirectLint.calls(in: ProgramUnderTest.instructions(of: program))
        #expect(calls.count == 1)
        #expect(calls.first?.flags == expected)
        #expect(calls.first?.computedAtRunTime == runTime)
    }
}
