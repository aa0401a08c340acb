import Foundation
import LabModel
import Testing
@testable import ProgramCheck

/// Bad input stops a check before any run, with a message that says what is wrong; the command line turns
/// these into exit status 2. None of them needs root: they fail before the program is loaded.
@Suite("bad input")
struct BadInputTests {
    func failure(_ program: String, _ options: CheckOptions = CheckOptions(isolation: .currentNamespace)) -> CheckFailure? {
        do {
            _ = try ProgramCheck.check(program: program, options: options)
            return nil
        } catch let failure as CheckFailure {
            return failure
        } catch {
            Issue.record("expected a CheckFailure, got \(error)")
            return nil
        }
    }

    @Test("a missing file, a wrong suffix, an empty port list, too many queues")
    func arguments() {
        let missing = failure("/nonexistent/prog.bpf.c")
        #expect(missing?.kind == .badInput && missing?.description.contains("no such file") == true)
        #expect(failure(CheckFixtures.folder)?.description.contains(".bpf.c source or a .o object") == true)
        #expect(failure(CheckFixtures.reference, CheckOptions(ports: []))?.description.contains("port list is empty") == true)
        #expect(failure(CheckFixtures.reference, CheckOptions(queues: 65))?.description.contains("between 1 and 64") == true)
    }

    @Test("a compile error carries clang's message", .enabled(if: KernelProbe.hasClang, KernelProbe.clangReason))
    func compileError() {
        let found = failure(CheckFixtures.program("does_not_compile.bpf.c"))
        #expect(found?.kind == .badInput)
        #expect(found?.description.contains("expected ';'") == true, "\(String(describing: found))")
    }

    @Test("programs that break the contract", .enabled(if: KernelProbe.hasClang, KernelProbe.clangReason))
    func contract() {
        let wrongType = failure(CheckFixtures.program("wrong_map_type.bpf.c"))
        #expect(wrongType?.description.contains("needs a BPF_MAP_TYPE_XSKMAP named xsks_map") == true)
        let small = failure(CheckFixtures.program("small_xskmap.bpf.c"))
        #expect(small?.description.contains("xsks_map has 2 slots, so queues 2-3 can never get a socket") == true,
                "\(String(describing: small))")
    }

    @Test("port lists", arguments: [
        ("8003-8005", [8003, 8004, 8005] as [UInt16]?),
        ("8003,8004, 8005", [8003, 8004, 8005]),
        ("53,8003-8004,53", [53, 8003, 8004]),
        ("8005-8003", nil), ("0", nil), ("65536", nil), ("80a", nil), ("8003,,8004", nil), ("1-2-3", nil),
    ])
    func portLists(text: String, expected: [UInt16]?) {
        #expect((try? PortRanges.parse(text)) == expected)
    }

    @Test("port list text")
    func portText() {
        #expect(PortRanges.text([8005, 8003, 8004, 9000, 53], separator: ", ") == "53, 8003-8005, 9000")
    }
}
