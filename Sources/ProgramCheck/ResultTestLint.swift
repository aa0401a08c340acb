/// Finds tests of `bpf_redirect_map`'s result for a negative value, the "fix" that never fires: on a failed
/// lookup the helper returns its `flags & 3` (Linux 5.3+), never a negative errno, so a branch taken on a
/// negative result is dead code. The kernel's verifier knows the helper's range and removes such branches,
/// which the translated program shows.
public enum ResultTestLint {
    public struct Finding: Sendable, Equatable {
        /// The `bpf_redirect_map` call whose result is tested.
        public let call: Int
        /// The conditional jump that tests it.
        public let instruction: Int
        /// The jump as a reader writes it: "if r7 s> r0 goto +1 (r7 = 0)".
        public let text: String
    }

    /// Signed conditional jumps: JSGT, JSGE, JSLT, JSLE.
    static let signedJumps: Set<UInt8> = [0x60, 0x70, 0xA0, 0xD0]
    static let jumpNames: [UInt8: String] = [0x60: "s>", 0x70: "s>=", 0xA0: "s<", 0xD0: "s<="]

    /// Every signed comparison of a `bpf_redirect_map` result with 0 or -1 shortly after the call, along the
    /// fall-through path while some register still holds the result.
    public static func findings(in instructions: [BPFInstruction]) -> [Finding] {
        let graph = FlowGraph(instructions)
        var findings: [Finding] = []
        for (call, instruction) in instructions.enumerated()
        where instruction.isHelperCall && instruction.imm == BPFInstruction.redirectMapHelper && !graph.isSecondSlot(call) {
            var holders: Set<UInt8> = [0]
            var index = call + 1
            while index < instructions.count, index <= call + 16, !holders.isEmpty {
                let current = instructions[index]
                if current.isExit || current.isCall || current.isGoto { break }
                if current.isJump, signedJumps.contains(current.code & 0xF0),
                   let text = signTest(current, at: index, holders: holders, graph: graph) {
                    findings.append(Finding(call: call, instruction: index, text: text))
                }
                track(current, holders: &holders)
                index += current.isLoadImm64 ? 2 : 1
            }
        }
        return findings
    }

    /// How many signed conditional jumps a program has: the translated program has fewer when the verifier
    /// removed a dead sign test.
    public static func signedComparisons(in instructions: [BPFInstruction]) -> Int {
        instructions.filter { $0.isJump && signedJumps.contains($0.code & 0xF0) }.count
    }

    /// The jump's text when it compares a register holding the result with the constant 0 or -1.
    private static func signTest(_ jump: BPFInstruction, at index: Int, holders: Set<UInt8>, graph: FlowGraph) -> String? {
        let name = jumpNames[jump.code & 0xF0] ?? "?"
        let target = "goto \(jump.offset >= 0 ? "+" : "")\(jump.offset)"
        if jump.code & BPFInstruction.sourceX == 0 {
            guard holders.contains(jump.dst), jump.imm == 0 || jump.imm == -1 else { return nil }
            return "if r\(jump.dst) \(name) \(jump.imm) \(target)"
        }
        let other: UInt8
        if holders.contains(jump.dst) { other = jump.src } else if holders.contains(jump.src) { other = jump.dst } else { return nil }
        let values = graph.values(of: other, before: index)
        guard !values.unknown, values.mapFDs.isEmpty, values.constants.count == 1,
              let constant = values.constants.first, constant == 0 || constant == UInt64.max else { return nil }
        return "if r\(jump.dst) \(name) r\(jump.src) \(target) (r\(other) = \(constant == 0 ? "0" : "-1"))"
    }

    /// Keeps the set of registers that hold the call's result up to date.
    private static func track(_ instruction: BPFInstruction, holders: inout Set<UInt8>) {
        let kind = instruction.instructionClass
        guard kind == BPFInstruction.classALU64 || kind == BPFInstruction.classALU || kind == BPFInstruction.classLDX
                || instruction.isLoadImm64 else { return }
        let isCopy = kind == BPFInstruction.classALU64 && instruction.code & 0xF0 == BPFInstruction.opMOV
            && instruction.code & BPFInstruction.sourceX != 0 && instruction.offset == 0
        if isCopy && holders.contains(instruction.src) { holders.insert(instruction.dst) } else { holders.remove(instruction.dst) }
    }
}
