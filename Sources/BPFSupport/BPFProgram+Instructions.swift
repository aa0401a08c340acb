import CLibBPF

extension BPFProgram {
    /// The program's instructions as libbpf holds them. After `BPFObject.load()` they are relocated, map
    /// references carry map descriptors, and the bodies of called subprograms are appended; that is the form
    /// static analysis (xdplab check's lint) wants. The C functions are `bpf_program__insns` and
    /// `bpf_program__insn_cnt`.
    public var instructions: [bpf_insn] {
        guard let start = bpf_program__insns(handle) else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: Int(bpf_program__insn_cnt(handle))))
    }
}
