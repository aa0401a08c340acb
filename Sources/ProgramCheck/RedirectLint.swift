/// Finds every `bpf_redirect_map` call in a program and what its flags argument (r3) can be there, so the
/// report can say what an empty slot gives before any packet is run: flags 0 → XDP_ABORTED, 1 → XDP_DROP,
/// 2 → XDP_PASS, 3 → XDP_TX (`flags & 3`, Linux 5.3+), any higher bit → XDP_ABORTED on every call.
///
/// The analysis follows r3 (and r1, the map) backwards from the call along every path, through register
/// copies and into callers of BPF-to-BPF subprograms, until a constant is loaded. A value loaded from
/// memory, computed, or undefined makes the call "computed at run time".
///
/// A call that runs only after a lookup of the same slot found a socket (`RedirectGuard`) never meets an empty
/// slot: its flags decide only what happens when the socket leaves between the lookup and the call.
public enum RedirectLint {
    /// One `bpf_redirect_map` call.
    public struct Call: Sendable, Equatable {
        /// Instruction index in the loaded program (subprograms appended).
        public let instruction: Int
        /// The map's name when it is a known map loaded right there, else nil.
        public let map: String?
        /// Every constant the flags argument holds on some path to the call, ascending.
        public let flags: [UInt64]
        /// True when on some path the flags come from memory, arithmetic or the caller's unknown value.
        public let computedAtRunTime: Bool
        /// The `bpf_map_lookup_elem` of the same map and key whose non-NULL result every path to the call
        /// passes through; nil when some path reaches the call without one.
        public let guardedBy: Int?

        public init(instruction: Int, map: String?, flags: [UInt64], computedAtRunTime: Bool, guardedBy: Int? = nil) {
            self.instruction = instruction
            self.map = map
            self.flags = flags
            self.computedAtRunTime = computedAtRunTime
            self.guardedBy = guardedBy
        }

        /// What an empty slot returns, per constant: "XDP_PASS".
        public var fallbacks: [String] { flags.map(RedirectLint.fallback) }

        /// True when every path passes XDP_PASS as the fallback.
        public var fallsBackToPass: Bool { !computedAtRunTime && !flags.isEmpty && flags.allSatisfy { $0 == 2 } }

        /// True when an empty slot cannot drop a frame at this call: it falls back to XDP_PASS, or a lookup
        /// guards it.
        public var emptySlotIsSafe: Bool { fallsBackToPass || guardedBy != nil }

        /// "instruction 37: bpf_redirect_map(xsks_map, key, 2): an empty slot gives XDP_PASS".
        public var summary: String {
            let flagText = flags.map { String($0) } + (computedAtRunTime ? ["?"] : [])
            var text = "instruction \(instruction): bpf_redirect_map(\(map ?? "a map"), key, \(flagText.joined(separator: " or ")))"
            if let guardedBy, !fallsBackToPass {
                let which = flags.count == 1 && !computedAtRunTime ? "flags \(flags[0])" : "its flags"
                return text + ": guarded by a lookup of the same slot (instruction \(guardedBy)): an empty slot never "
                    + "reaches the call; \(which) only matters if the socket goes away between lookup and redirect"
            }
            if flags.count == 1 && !computedAtRunTime {
                text += ": an empty slot gives " + RedirectLint.fallback(flags[0])
            } else {
                var outcomes = flags.map { "flags \($0) → " + RedirectLint.fallback($0) }
                if computedAtRunTime { outcomes.append("flags computed at run time") }
                text += ": " + outcomes.joined(separator: "; ")
            }
            return text
        }
    }

    /// The fallback action that constant flags give an XSKMAP redirect.
    public static func fallback(_ flags: UInt64) -> String {
        guard flags & ~3 == 0 else { return "XDP_ABORTED on every call (flag bits beyond the action)" }
        return ["XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX"][Int(flags)]
    }

    /// `mapNames` turns a map descriptor found in an ld_imm64 into its name.
    ///
    /// `translatedXSKMaps`: the instructions are the kernel's translated ones (a live program's), where map
    /// references carry map ids and the verifier has replaced bpf_redirect_map's helper number with the
    /// address of the map's own redirect function. A helper call with one of these XSKMAP ids in r1 is then
    /// taken for bpf_redirect_map (the only other helper XDP may call on an XSKMAP, the lookup, is inlined).
    public static func calls(in instructions: [BPFInstruction], mapNames: [Int32: String] = [:],
                             translatedXSKMaps: Set<Int32>? = nil) -> [Call] {
        let graph = FlowGraph(instructions)
        var result: [Call] = []
        for (index, instruction) in instructions.enumerated()
        where instruction.isHelperCall && !graph.isSecondSlot(index)
            && (translatedXSKMaps != nil || instruction.imm == BPFInstruction.redirectMapHelper) {
            let maps = graph.values(of: 1, before: index)
            if let xskMaps = translatedXSKMaps {
                guard !maps.unknown, !maps.mapFDs.isEmpty, maps.mapFDs.isSubset(of: xskMaps) else { continue }
            }
            let flags = graph.values(of: 3, before: index)
            var map: String?
            if !maps.unknown, maps.mapFDs.count == 1, maps.constants.isEmpty, let name = mapNames[maps.mapFDs.first!] {
                map = name
            }
            result.append(Call(instruction: index, map: map, flags: flags.constants.sorted(),
                               computedAtRunTime: flags.unknown || !flags.mapFDs.isEmpty))
        }
        let guards = RedirectGuard.guards(in: instructions, calls: result.map(\.instruction), translatedXSKMaps: translatedXSKMaps)
        return result.map { call in
            Call(instruction: call.instruction, map: call.map, flags: call.flags, computedAtRunTime: call.computedAtRunTime,
                 guardedBy: guards[call.instruction])
        }
    }
}

/// Predecessor edges of every instruction, and the backward search for a register's possible values.
struct FlowGraph {
    enum Edge: Hashable {
        /// Fall-through or jump from that instruction.
        case flow(Int)
        /// A BPF-to-BPF call at that instruction enters this subprogram.
        case callEntry(Int)
    }

    struct Values {
        var constants = Set<UInt64>()
        var mapFDs = Set<Int32>()
        var unknown = false
    }

    let instructions: [BPFInstruction]
    private(set) var predecessors: [[Edge]]
    private var secondSlots = Set<Int>()

    init(_ instructions: [BPFInstruction]) {
        self.instructions = instructions
        predecessors = Array(repeating: [], count: instructions.count)
        var index = 0
        while index < instructions.count {
            let instruction = instructions[index]
            let width = instruction.isLoadImm64 ? 2 : 1
            if width == 2 { secondSlots.insert(index + 1) }
            let next = index + width
            if instruction.isJump && !instruction.isCall && !instruction.isExit {
                // JMP32's "gotol" keeps its 32-bit offset in imm.
                let distance = instruction.instructionClass == BPFInstruction.classJMP32 && instruction.isGoto
                    ? Int(instruction.imm) : Int(instruction.offset)
                addEdge(.flow(index), to: next + distance)
                if !instruction.isGoto { addEdge(.flow(index), to: next) }
            } else if !instruction.isExit {
                if instruction.isPseudoCall { addEdge(.callEntry(index), to: next + Int(instruction.imm)) }
                addEdge(.flow(index), to: next)
            }
            index = next
        }
    }

    func isSecondSlot(_ index: Int) -> Bool { secondSlots.contains(index) }

    private mutating func addEdge(_ edge: Edge, to target: Int) {
        if target >= 0 && target < predecessors.count { predecessors[target].append(edge) }
    }

    /// Every value register `register` can hold just before instruction `index` runs.
    func values(of register: UInt8, before index: Int) -> Values {
        var values = Values()
        var visited = Set<[Int]>()
        var work: [(Int, UInt8)] = [(index, register)]
        while let (at, reg) = work.popLast() {
            guard visited.insert([at, Int(reg)]).inserted else { continue }
            if predecessors[at].isEmpty {
                values.unknown = true      // the program's entry: only r1 (the context) is defined
                continue
            }
            for edge in predecessors[at] {
                switch edge {
                case .callEntry(let call):
                    // Arguments r1-r5 are what the caller put there before the call.
                    if (1...5).contains(reg) { work.append((call, reg)) } else { values.unknown = true }
                case .flow(let source):
                    switch effect(of: instructions[source], at: source, on: reg) {
                    case .untouched: work.append((source, reg))
                    case .copied(let from): work.append((source, from))
                    case .constant(let value): values.constants.insert(value)
                    case .mapFD(let fd): values.mapFDs.insert(fd)
                    case .unknown: values.unknown = true
                    }
                }
            }
        }
        return values
    }

    enum Effect {
        case untouched, copied(UInt8), constant(UInt64), mapFD(Int32), unknown
    }

    /// What one instruction does to one register.
    func effect(of instruction: BPFInstruction, at index: Int, on reg: UInt8) -> Effect {
        let kind = instruction.instructionClass
        if instruction.isCall { return reg <= 5 ? .unknown : .untouched }
        if instruction.isLoadImm64 {
            guard instruction.dst == reg else { return .untouched }
            let high = index + 1 < instructions.count ? UInt64(UInt32(bitPattern: instructions[index + 1].imm)) : 0
            switch instruction.src {
            case 0: return .constant(high << 32 | UInt64(UInt32(bitPattern: instruction.imm)))
            case BPFInstruction.pseudoMapFD: return .mapFD(instruction.imm)
            default: return .unknown
            }
        }
        switch kind {
        case BPFInstruction.classALU, BPFInstruction.classALU64:
            guard instruction.dst == reg else { return .untouched }
            guard instruction.code & 0xF0 == BPFInstruction.opMOV else { return .unknown }
            if instruction.code & BPFInstruction.sourceX != 0 {
                // A 32-bit move truncates, and a sign-extending move (offset 8/16/32) changes the value.
                return kind == BPFInstruction.classALU64 && instruction.offset == 0 ? .copied(instruction.src) : .unknown
            }
            return kind == BPFInstruction.classALU64
                ? .constant(UInt64(bitPattern: Int64(instruction.imm)))
                : .constant(UInt64(UInt32(bitPattern: instruction.imm)))
        case BPFInstruction.classLDX:
            return instruction.dst == reg ? .unknown : .untouched
        case BPFInstruction.classLD:
            // Legacy packet loads (LD_ABS / LD_IND) write r0 and clobber r1-r5.
            return reg <= 5 ? .unknown : .untouched
        case BPFInstruction.classSTX where instruction.code & 0xE0 == BPFInstruction.modeATOMIC:
            // Fetching atomics write the source register, cmpxchg writes r0.
            return instruction.src == reg || reg == 0 ? .unknown : .untouched
        default:
            return .untouched
        }
    }
}
