/// What the guard analysis knows about one value at one instruction. Every case except `lookup` stands for a
/// value that stays the same for the whole run of the program, so two places holding the same case hold the same
/// number, whichever path led there.
enum GuardValue: Hashable {
    case unknown
    case constant(UInt64)
    /// A map loaded by ld_imm64 (descriptor in an object, map id in a translated program).
    case map(Int32)
    /// The context pointer r1 holds at the program's entry.
    case context
    /// A value read through the context that no helper can change: `rx_queue_index`, `ingress_ifindex`
    /// (in a translated program the chain of loads the verifier made of that field).
    case contextField([FieldLoad])
    /// The frame pointer plus this offset.
    case stack(Int64)
    /// The result of the map lookup at that instruction: a pointer, or NULL.
    case lookup(Int)

    struct FieldLoad: Hashable {
        let offset: Int16
        let size: Int
    }

    /// The value as `size` low bytes (a narrower store or load, a 32-bit move). A context field read with at most
    /// that many bytes is already zero-extended, so it stays itself.
    func truncated(to size: Int) -> GuardValue {
        switch self {
        case .constant(let value): return .constant(size >= 8 ? value : value & ((1 << UInt64(size * 8)) - 1))
        case .contextField(let loads): return loads.last!.size <= size ? self : .unknown
        case .unknown: return .unknown
        default: return size >= 8 ? self : .unknown
        }
    }

    /// True when this value can name an XSKMAP slot the same way on every run: a constant or a fixed field.
    var isKey: Bool {
        switch self {
        case .constant, .contextField: return true
        default: return false
        }
    }
}

/// The analysis state before one instruction: registers, stack slots, and which lookups were found non-NULL
/// on every path that reaches it.
struct GuardState: Equatable {
    struct Slot: Equatable {
        let size: Int
        let value: GuardValue
    }

    var registers: [GuardValue]
    /// Stack slots written with a known value, by offset from the frame pointer.
    var slots: [Int64: Slot]
    /// Lookups whose result was tested non-NULL on every path here, and not run again since.
    var checked: Set<Int>
    /// A stack address went where the analysis cannot follow it (arithmetic with a register, a store into other
    /// memory): a store through an unknown pointer may then change any slot.
    var escaped: Bool

    /// The state at a function's entry: r1 is the context in the program's main function, unknown in a
    /// subprogram; r10 is always the frame pointer.
    static func entry(main: Bool) -> GuardState {
        var registers = [GuardValue](repeating: .unknown, count: 11)
        if main { registers[1] = .context }
        registers[10] = .stack(0)
        return GuardState(registers: registers, slots: [:], checked: [], escaped: false)
    }

    /// What holds on both of two paths that meet.
    func joined(with other: GuardState) -> GuardState {
        GuardState(registers: zip(registers, other.registers).map { $0 == $1 ? $0 : .unknown },
                   slots: slots.filter { other.slots[$0.key] == $0.value },
                   checked: checked.intersection(other.checked),
                   escaped: escaped || other.escaped)
    }

    /// Reads `size` bytes at frame pointer + `offset`.
    func load(at offset: Int64, size: Int) -> GuardValue {
        guard let slot = slots[offset], slot.size >= size else { return .unknown }
        // Little-endian: the low bytes of a wider slot are at its own offset.
        return slot.size == size ? slot.value : slot.value.truncated(to: size)
    }

    /// Writes `size` bytes at frame pointer + `offset`, forgetting every slot they overlap.
    mutating func store(_ value: GuardValue, at offset: Int64, size: Int) {
        forget(from: offset, size: size)
        slots[offset] = Slot(size: size, value: value.truncated(to: size))
    }

    mutating func forget(from offset: Int64, size: Int) {
        slots = slots.filter { $0.key + Int64($0.value.size) <= offset || $0.key >= offset + Int64(size) }
    }

    /// True when a register among r1-r5 (a call's arguments) holds a stack address.
    var passesStackAddress: Bool {
        registers[1...5].contains { if case .stack = $0 { return true } else { return false } }
    }
}
