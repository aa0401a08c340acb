/// One eBPF instruction in plain Swift values, so the lint runs on any instruction list (tests write them
/// by hand). `ld_imm64` takes two slots; the second holds the upper 32 bits in `imm`.
public struct BPFInstruction: Sendable, Hashable {
    public let code: UInt8
    public let dst: UInt8
    public let src: UInt8
    public let offset: Int16
    public let imm: Int32

    public init(code: UInt8, dst: UInt8 = 0, src: UInt8 = 0, offset: Int16 = 0, imm: Int32 = 0) {
        self.code = code
        self.dst = dst
        self.src = src
        self.offset = offset
        self.imm = imm
    }

    // Opcode fields (include/uapi/linux/bpf.h and bpf_common.h).
    static let classLD: UInt8 = 0x00, classLDX: UInt8 = 0x01, classST: UInt8 = 0x02, classSTX: UInt8 = 0x03
    static let classALU: UInt8 = 0x04, classJMP: UInt8 = 0x05, classJMP32: UInt8 = 0x06, classALU64: UInt8 = 0x07
    static let opMOV: UInt8 = 0xB0, opJA: UInt8 = 0x00, opCALL: UInt8 = 0x80, opEXIT: UInt8 = 0x90
    static let sourceX: UInt8 = 0x08
    static let ldImm64: UInt8 = 0x18
    static let modeATOMIC: UInt8 = 0xC0
    /// `src_reg` of a call: 0 a helper, 1 a BPF-to-BPF call (BPF_PSEUDO_CALL), 2 a kfunc.
    static let pseudoCall: UInt8 = 1
    /// `src_reg` of an ld_imm64 that loads a map by descriptor (BPF_PSEUDO_MAP_FD).
    static let pseudoMapFD: UInt8 = 1
    /// The helper id of `bpf_redirect_map` (BPF_FUNC_redirect_map).
    public static let redirectMapHelper: Int32 = 51

    var instructionClass: UInt8 { code & 0x07 }
    var isJump: Bool { instructionClass == Self.classJMP || instructionClass == Self.classJMP32 }
    var isCall: Bool { instructionClass == Self.classJMP && code & 0xF0 == Self.opCALL }
    var isHelperCall: Bool { isCall && src == 0 }
    var isPseudoCall: Bool { isCall && src == Self.pseudoCall }
    var isExit: Bool { instructionClass == Self.classJMP && code & 0xF0 == Self.opEXIT }
    var isLoadImm64: Bool { code == Self.ldImm64 }
    /// An unconditional jump (`goto`): no fall-through.
    var isGoto: Bool { isJump && code & 0xF0 == Self.opJA }
}
