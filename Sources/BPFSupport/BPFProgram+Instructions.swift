import CLibBPF
import SystemSupport

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

extension BPFProgram {
    /// The program as the kernel runs it, after the verifier's rewrites and dead-code removal. Comparing it
    /// with `instructions` shows what the verifier proved could never happen. The C function is
    /// `bpf_obj_get_info_by_fd` with `xlated_prog_insns`.
    public func translatedInstructions() throws -> [bpf_insn] {
        try BPFProgramInfo.translatedInstructions(fd: fd, describing: "program '\(name)'")
    }
}

extension BPFProgramInfo {
    /// The translated instructions of any loaded program, by descriptor (one opened by id, say). Map
    /// references there carry map ids (`BPF_PSEUDO_MAP_FD` with the id in imm), and helper calls the
    /// verifier bound to a map's own function (bpf_redirect_map on an XSKMAP, for one) carry that function's
    /// address instead of the helper number.
    public static func translatedInstructions(fd: Int32, describing program: String) throws -> [bpf_insn] {
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        try negativeErrno("read the size of \(program)", bpf_obj_get_info_by_fd(fd, &info, &length))
        let count = Int(info.xlated_prog_len) / MemoryLayout<bpf_insn>.stride
        guard count > 0 else { return [] }
        var instructions = [bpf_insn](repeating: bpf_insn(), count: count)
        try instructions.withUnsafeMutableBytes { buffer in
            var request = bpf_prog_info()
            request.xlated_prog_len = UInt32(buffer.count)
            request.xlated_prog_insns = UInt64(UInt(bitPattern: buffer.baseAddress))
            var requestLength = UInt32(MemoryLayout<bpf_prog_info>.size)
            try negativeErrno("read the translated instructions of \(program)",
                              bpf_obj_get_info_by_fd(fd, &request, &requestLength))
        }
        return instructions
    }
}
