/// Finds the `bpf_redirect_map` calls that only run after a lookup of the same slot found a socket, the AF_XDP
/// pattern of the xdp-tutorial:
///
///     if (bpf_map_lookup_elem(&xsks_map, &index))
///         return bpf_redirect_map(&xsks_map, index, 0);
///     return XDP_PASS;
///
/// There an empty slot never reaches the call; its flags matter only if the socket leaves the map between the
/// lookup and the redirect.
///
/// A forward analysis over every path of the program. It follows maps, keys (constants and context fields such
/// as `rx_queue_index`) and lookup results through registers and stack slots, and the NULL tests of each
/// result. A call is guarded when, on every path to it, a lookup in the same map with the same key was tested
/// non-NULL and not run again since. Whatever it cannot follow (arithmetic, loads from other memory, a stack
/// address it lost track of) leaves the call unguarded, so the lint reports its flags as before.
enum RedirectGuard {
    /// The helper id of `bpf_map_lookup_elem` (BPF_FUNC_map_lookup_elem).
    static let lookupHelper: Int32 = 1

    /// For each guarded call (instruction index of the `bpf_redirect_map` call), the lookup that guards it.
    /// `translatedXSKMaps`: as for `RedirectLint.calls`; there the verifier has inlined each XSKMAP lookup.
    static func guards(in instructions: [BPFInstruction], calls: [Int], translatedXSKMaps: Set<Int32>?) -> [Int: Int] {
        let analysis = Analysis(instructions, translatedXSKMaps: translatedXSKMaps)
        let states = analysis.run()
        var guards: [Int: Int] = [:]
        for call in calls {
            guard let state = states[call], case .map(let map) = state.registers[1] else { continue }
            let key = state.registers[2].truncated(to: 4)
            guard key.isKey else { continue }
            let matching = state.checked.sorted().filter { lookup in
                guard let before = states[lookup], before.registers[1] == .map(map),
                      case .stack(let offset) = before.registers[2] else { return false }
                return before.load(at: offset, size: 4) == key
            }
            if let lookup = matching.last { guards[call] = lookup }
        }
        return guards
    }

    private struct Analysis {
        let instructions: [BPFInstruction]
        let translatedXSKMaps: Set<Int32>?

        init(_ instructions: [BPFInstruction], translatedXSKMaps: Set<Int32>?) {
            self.instructions = instructions
            self.translatedXSKMaps = translatedXSKMaps
        }

        /// The state before each reachable instruction, once nothing changes any more.
        func run() -> [GuardState?] {
            var states = [GuardState?](repeating: nil, count: instructions.count)
            var work: [Int] = []
            func reach(_ target: Int, with state: GuardState) {
                guard target >= 0, target < instructions.count else { return }
                let merged = states[target].map { $0.joined(with: state) } ?? state
                if merged != states[target] {
                    states[target] = merged
                    work.append(target)
                }
            }
            reach(0, with: .entry(main: true))
            // A subprogram starts knowing nothing of its callers: a guard must sit in the function that redirects.
            for (index, instruction) in instructions.enumerated() where instruction.isPseudoCall {
                reach(index + 1 + Int(instruction.imm), with: .entry(main: false))
            }
            while let index = work.popLast() {
                guard let state = states[index] else { continue }
                for (target, next) in successors(of: index, state) { reach(target, with: next) }
            }
            return states
        }

        /// Where control goes from instruction `index`, with the state on each edge.
        private func successors(of index: Int, _ state: GuardState) -> [(Int, GuardState)] {
            let instruction = instructions[index]
            var next = state
            if translatedXSKMaps != nil, let end = inlinedLookupEnd(at: index, state) {
                next.registers[0] = .lookup(index)
                next.registers[1] = .unknown
                next.checked.remove(index)
                return [(end, next)]
            }
            if instruction.isExit { return [] }
            if instruction.isCall {
                call(instruction, at: index, &next)
                return [(index + 1, next)]
            }
            if instruction.isJump { return branches(instruction, at: index, state) }
            if instruction.isLoadImm64 {
                let high = index + 1 < instructions.count ? UInt64(UInt32(bitPattern: instructions[index + 1].imm)) : 0
                next.registers[Int(instruction.dst)] = switch instruction.src {
                case 0: .constant(high << 32 | UInt64(UInt32(bitPattern: instruction.imm)))
                case BPFInstruction.pseudoMapFD: .map(instruction.imm)
                default: .unknown
                }
                return [(index + 2, next)]
            }
            switch instruction.instructionClass {
            case BPFInstruction.classALU, BPFInstruction.classALU64: arithmetic(instruction, &next)
            case BPFInstruction.classLDX: loadFromMemory(instruction, &next)
            case BPFInstruction.classST, BPFInstruction.classSTX: storeToMemory(instruction, &next)
            default:
                // Legacy packet loads (LD_ABS / LD_IND) write r0 and clobber r1-r5.
                for register in 0...5 { next.registers[register] = .unknown }
            }
            return [(index + 1, next)]
        }

        private func call(_ instruction: BPFInstruction, at index: Int, _ state: inout GuardState) {
            let isLookup = translatedXSKMaps == nil && instruction.isHelperCall && instruction.imm == RedirectGuard.lookupHelper
            let isRedirect: Bool
            if let xskMaps = translatedXSKMaps, case .map(let map) = state.registers[1] {
                isRedirect = instruction.isHelperCall && xskMaps.contains(map)
            } else {
                isRedirect = instruction.isHelperCall && instruction.imm == BPFInstruction.redirectMapHelper
            }
            // A lookup reads its key and a redirect writes nothing; any other callee may write where its arguments
            // point, and a subprogram through a stack address the analysis lost.
            if !isLookup && !isRedirect && (state.passesStackAddress || (instruction.isPseudoCall && state.escaped)) {
                state.slots = [:]
            }
            for register in 1...5 { state.registers[register] = .unknown }
            state.registers[0] = isLookup ? .lookup(index) : .unknown
            if isLookup { state.checked.remove(index) }
        }

        /// Conditional jumps on a lookup's result against 0 tell, on one edge, that the result is not NULL.
        private func branches(_ jump: BPFInstruction, at index: Int, _ state: GuardState) -> [(Int, GuardState)] {
            let distance = jump.instructionClass == BPFInstruction.classJMP32 && jump.isGoto ? Int(jump.imm) : Int(jump.offset)
            let target = index + 1 + distance
            if jump.isGoto { return [(target, state)] }
            var taken = state, fallThrough = state
            if let lookup = testedLookup(jump, state) {
                switch jump.code & 0xF0 {
                case 0x10, 0xB0: fallThrough.checked.insert(lookup)   // if r == 0 / if r <= 0: on to the non-NULL case
                case 0x50, 0x20: taken.checked.insert(lookup)         // if r != 0 / if r > 0: jump to it
                default: break
                }
            }
            return [(target, taken), (index + 1, fallThrough)]
        }

        /// The lookup whose result the jump compares with 0.
        private func testedLookup(_ jump: BPFInstruction, _ state: GuardState) -> Int? {
            if jump.code & BPFInstruction.sourceX == 0 {
                guard jump.imm == 0, case .lookup(let lookup) = state.registers[Int(jump.dst)] else { return nil }
                return lookup
            }
            let (dst, src) = (state.registers[Int(jump.dst)], state.registers[Int(jump.src)])
            if case .lookup(let lookup) = dst, src == .constant(0) { return lookup }
            if case .lookup(let lookup) = src, dst == .constant(0) { return lookup }
            return nil
        }

        private func arithmetic(_ instruction: BPFInstruction, _ state: inout GuardState) {
            let dst = Int(instruction.dst)
            let wide = instruction.instructionClass == BPFInstruction.classALU64
            let operation = instruction.code & 0xF0
            let fromRegister = instruction.code & BPFInstruction.sourceX != 0
            let before = state.registers[dst]
            var result = GuardValue.unknown
            if operation == BPFInstruction.opMOV && instruction.offset == 0 {
                if fromRegister {
                    result = state.registers[Int(instruction.src)]
                    if !wide { result = result.truncated(to: 4) }
                } else {
                    result = wide ? .constant(UInt64(bitPattern: Int64(instruction.imm))) : .constant(UInt64(UInt32(bitPattern: instruction.imm)))
                }
            } else if wide, !fromRegister, case .stack(let offset) = before, operation == 0x00 || operation == 0x10 {
                result = .stack(operation == 0x00 ? offset + Int64(instruction.imm) : offset - Int64(instruction.imm))
            }
            // A stack address that turns into something the analysis cannot follow may later be written through.
            if case .stack = before, result == .unknown { state.escaped = true }
            if fromRegister, operation != BPFInstruction.opMOV, case .stack = state.registers[Int(instruction.src)] { state.escaped = true }
            state.registers[dst] = result
        }

        private func loadFromMemory(_ instruction: BPFInstruction, _ state: inout GuardState) {
            let size = Self.size(instruction)
            var value = GuardValue.unknown
            if instruction.code & 0xE0 == Self.modeMEM {
                switch state.registers[Int(instruction.src)] {
                case .stack(let base): value = state.load(at: base + Int64(instruction.offset), size: size)
                case .context: value = contextField([.init(offset: instruction.offset, size: size)])
                case .contextField(let loads): value = contextField(loads + [.init(offset: instruction.offset, size: size)])
                default: break
                }
            }
            state.registers[Int(instruction.dst)] = value
        }

        /// The fields no helper changes during a run. In an object: `ingress_ifindex`, `rx_queue_index`,
        /// `egress_ifindex` of `struct xdp_md` (not data, data_end, data_meta, which bpf_xdp_adjust_head moves).
        /// In a translated program the verifier reads them through pointers of `struct xdp_buff` that lie past
        /// its data pointers (rxq, txq), then at most one more pointer, then the 32-bit field.
        private func contextField(_ loads: [GuardValue.FieldLoad]) -> GuardValue {
            guard translatedXSKMaps != nil else {
                return loads.count == 1 && loads[0].size == 4 && [12, 16, 20].contains(loads[0].offset) ? .contextField(loads) : .unknown
            }
            guard loads.count <= 3, loads[0].offset >= 32, loads.dropLast().allSatisfy({ $0.size == 8 }) else { return .unknown }
            return .contextField(loads)
        }

        private func storeToMemory(_ instruction: BPFInstruction, _ state: inout GuardState) {
            let size = Self.size(instruction)
            let base = state.registers[Int(instruction.dst)]
            let mode = instruction.code & 0xE0
            let isRegister = instruction.instructionClass == BPFInstruction.classSTX
            let value: GuardValue = isRegister ? state.registers[Int(instruction.src)] : .constant(UInt64(bitPattern: Int64(instruction.imm)))
            if mode == Self.modeMEM, case .stack(let offset) = base {
                state.store(value, at: offset + Int64(instruction.offset), size: size)
                return
            }
            if case .stack(let offset) = base {
                state.forget(from: offset + Int64(instruction.offset), size: size)
            } else {
                if case .stack = value { state.escaped = true }
                if base == .unknown && state.escaped { state.slots = [:] }
            }
            if mode == BPFInstruction.modeATOMIC {
                // Fetching atomics write the source register, cmpxchg writes r0.
                state.registers[Int(instruction.src)] = .unknown
                state.registers[0] = .unknown
            }
        }

        /// The verifier's inlined XSKMAP lookup (`xsk_map_gen_lookup`), starting where r1 is an XSKMAP and r2 a
        /// stack address: `r0 = *(u32 *)(r2 + 0)`, a bounds check, the slot's address, its load, and `r0 = 0` for an
        /// index out of range. Returns the instruction after it.
        private func inlinedLookupEnd(at index: Int, _ state: GuardState) -> Int? {
            guard let xskMaps = translatedXSKMaps, case .map(let map) = state.registers[1], xskMaps.contains(map),
                  case .stack = state.registers[2], index + 8 <= instructions.count else { return nil }
            let block = Array(instructions[index..<index + 8])
            guard block[0].code == 0x61, block[0].dst == 0, block[0].src == 2, block[0].offset == 0,   // r0 = *(u32 *)(r2 + 0)
                  block[1].code == 0x35, block[1].dst == 0, block[1].offset == 5,                      // if r0 >= max goto +5
                  block[2].code == 0x67, block[2].dst == 0,                                            // r0 <<= 3
                  block[3].code == 0x07, block[3].dst == 1,                                            // r1 += offset
                  block[4].code == 0x0F, block[4].dst == 0, block[4].src == 1,                         // r0 += r1
                  block[5].code == 0x79, block[5].dst == 0, block[5].src == 0,                         // r0 = *(u64 *)(r0 + 0)
                  block[6].code == 0x05, block[6].offset == 1,                                         // goto +1
                  block[7].code == 0xB7, block[7].dst == 0, block[7].imm == 0                          // r0 = 0
            else { return nil }
            return index + 8
        }

        static let modeMEM: UInt8 = 0x60

        /// Bytes accessed by a load or store: BPF_W, BPF_H, BPF_B, BPF_DW.
        static func size(_ instruction: BPFInstruction) -> Int {
            [4, 2, 1, 8][Int(instruction.code & 0x18) >> 3]
        }
    }
}
