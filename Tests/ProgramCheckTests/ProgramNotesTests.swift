import Foundation
import Testing
import ProgramCheck
import TestSupport

/// The incident programs in Labs/.
private func incidentProgram(_ name: String) -> String {
    RepositoryPaths.path("Labs/programs/incidents/\(name).bpf.c")
}

@Suite("sign tests of bpf_redirect_map's result, read from instructions")
struct ResultTestLintTests {
    // r2 = key; r3 = 0; call bpf_redirect_map; r6 = 2; r7 = 0; if r7 s> r0 goto +1; r6 = r0; r0 = r6; exit
    private func program(jump: BPFInstruction) -> [BPFInstruction] {
        [BPFInstruction(code: 0xB7, dst: 3, imm: 0), BPFInstruction(code: 0xB7, dst: 7, imm: 0),
         BPFInstruction(code: 0x85, imm: BPFInstruction.redirectMapHelper),
         BPFInstruction(code: 0xB7, dst: 6, imm: 2), jump,
         BPFInstruction(code: 0xBF, dst: 6, src: 0), BPFInstruction(code: 0xBF, dst: 0, src: 6),
         BPFInstruction(code: 0x95)]
    }

    @Test("`if r7 s> r0` with r7 = 0 right after the call is found")
    func registerForm() {
        let findings = ResultTestLint.findings(in: program(jump: BPFInstruction(code: 0x6D, dst: 7, src: 0, offset: 1)))
        #expect(findings.map(\.instruction) == [4])
        #expect(findings.first?.text == "if r7 s> r0 goto +1 (r7 = 0)")
    }

    @Test("`if r0 s< 0` is found, an unsigned or non-zero comparison is not")
    func immediateForm() {
        #expect(ResultTestLint.findings(in: program(jump: BPFInstruction(code: 0xA5, dst: 0, offset: 1, imm: 0))).count == 1)
        #expect(ResultTestLint.findings(in: program(jump: BPFInstruction(code: 0xA5, dst: 0, offset: 1, imm: 4))).isEmpty)
        #expect(ResultTestLint.findings(in: program(jump: BPFInstruction(code: 0xB5, dst: 0, offset: 1, imm: 0))).isEmpty)
    }
}

@Suite("program notes on compiled programs", .enabled(if: KernelProbe.ready, KernelProbe.reason))
struct ProgramNotesTests {
    @Test("the r0 < 0 'fix' is named dead, with what the kernel's translated program made of it")
    func deadSignTest() {
        let notes = ProgramNotes.notes(objectPath: incidentProgram("r0_negative_check"), ports: [8003], queues: 4)
        #expect(notes.contains { $0.contains("an empty slot gives XDP_ABORTED") })
        let dead = notes.first { $0.contains("for a negative value") }
        #expect(dead?.contains("can never be true") == true)
        #expect(dead?.contains("translated program") == true, "\(notes)")
    }

    @Test("the reference program gives no notes")
    func referenceIsQuiet() {
        #expect(ProgramNotes.notes(objectPath: CheckFixtures.reference, ports: [8003], queues: 4).isEmpty)
    }
}
