import Foundation
import CLibBPF
import XDPShim
import SystemSupport

/// An ELF object of BPF programs and maps, opened and loaded with libbpf. Closing (in `deinit`) unloads
/// whatever is not pinned or attached by a link elsewhere. The C functions are `bpf_object__open_file`,
/// `bpf_object__load` and `bpf_object__close`.
public final class BPFObject {
    public let path: String
    let handle: OpaquePointer
    public private(set) var isLoaded = false

    /// The file name without folders, as errors show it: "port_redirect.bpf.o".
    public var fileName: String { URL(fileURLWithPath: path).lastPathComponent }

    public init(path: String) throws {
        self.path = path
        let name = URL(fileURLWithPath: path).lastPathComponent
        handle = try BPFLog.withMessages { messages in
            guard let handle = bpf_object__open_file(path, nil) else {
                throw SystemError("open BPF object \(name)", errno: Glibc.errno, extra: messages())
            }
            return handle
        }
    }

    deinit { bpf_object__close(handle) }

    /// Sets a global variable (`const volatile` ones included) before loading, e.g. a program id to filter on.
    public func setGlobal<T: FixedWidthInteger>(_ name: String, to value: T) throws {
        precondition(!isLoaded, "globals are set before the object is loaded")
        var value = value
        let result = withUnsafeBytes(of: &value) { bytes in
            xdpshim_set_global(handle, name, bytes.baseAddress, bytes.count)
        }
        try negativeErrno("set global \(name) (\(T.self)) of BPF object \(fileName)", result)
    }

    /// Loads every program and creates every map. EPERM means this machine does not let us load BPF:
    /// that is a `CapabilityError`; anything else is a `SystemError` carrying libbpf's log (the verifier output).
    public func load() throws {
        try BPFLog.withMessages { messages in
            let result = bpf_object__load(handle)
            guard result < 0 else { return }
            let failure = SystemError("load BPF object \(fileName)", errno: -result, extra: messages())
            if -result == EPERM {
                throw CapabilityError(capability: "permission to load BPF programs (CAP_BPF, CAP_SYS_ADMIN)",
                                      detail: failure.description)
            }
            throw failure
        }
        isLoaded = true
    }

    public var programs: [BPFProgram] {
        var result: [BPFProgram] = []
        var cursor = bpf_object__next_program(handle, nil)
        while let program = cursor {
            result.append(BPFProgram(object: self, handle: program))
            cursor = bpf_object__next_program(handle, program)
        }
        return result
    }

    public func program(named name: String) -> BPFProgram? {
        bpf_object__find_program_by_name(handle, name).map { BPFProgram(object: self, handle: $0) }
    }

    /// The program in section "xdp", else the first XDP program ("xdp.frags", "xdp/…").
    public var xdpProgram: BPFProgram? {
        let all = programs
        return all.first { $0.section == "xdp" } ?? all.first { $0.type == BPF_PROG_TYPE_XDP }
    }

    public func map(named name: String) -> BPFMap? {
        bpf_object__find_map_by_name(handle, name).map { BPFMap(object: self, handle: $0) }
    }
}
