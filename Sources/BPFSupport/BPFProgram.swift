import Glibc
import CLibBPF
import SystemSupport

/// One program of a `BPFObject`; it keeps the object alive.
public struct BPFProgram {
    public let object: BPFObject
    let handle: OpaquePointer

    /// The function name in the C source.
    public var name: String { String(cString: bpf_program__name(handle)) }
    /// The ELF section, e.g. "xdp" or "tracepoint/xdp/xdp_exception".
    public var section: String { String(cString: bpf_program__section_name(handle)) }
    public var type: bpf_prog_type { bpf_program__type(handle) }
    /// The program's file descriptor once loaded, else -1.
    public var fd: Int32 { bpf_program__fd(handle) }

    /// Kernel id and name of the loaded program.
    public func info() throws -> BPFProgramInfo { try BPFProgramInfo(fd: fd) }

    /// Attaches to an open perf event (a tracepoint); the link owns `perfEventFD` from then on, also on failure.
    /// The C function is `bpf_program__attach_perf_event`.
    public func attach(perfEvent perfEventFD: Int32, describing event: String) throws -> BPFLink {
        try BPFLog.withMessages { messages in
            guard let link = bpf_program__attach_perf_event(handle, perfEventFD) else {
                let code = Glibc.errno
                close(perfEventFD)
                throw SystemError("attach BPF program \(name) to \(event)", errno: code, extra: messages())
            }
            return BPFLink(handle: link)
        }
    }
}

/// What the kernel says about a loaded program (`struct bpf_prog_info`).
public struct BPFProgramInfo: Sendable, Equatable {
    public let id: UInt32
    /// The kernel keeps at most 15 characters of the name.
    public let name: String
    public let type: UInt32
    /// The kernel's hash of the instructions as loaded (`bpf_prog_info.tag`), in hex: what bpftool shows.
    public let tag: String
    /// The maps the program uses, by id.
    public let mapIDs: [UInt32]

    /// The C function is `bpf_obj_get_info_by_fd`: once for the sizes, once more for the map ids.
    public init(fd: Int32) throws {
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        try negativeErrno("read BPF program info of fd \(fd)", bpf_obj_get_info_by_fd(fd, &info, &length))
        id = info.id
        type = info.type
        name = withUnsafeBytes(of: info.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        tag = withUnsafeBytes(of: info.tag) { bytes in
            bytes.map { String($0 >> 4, radix: 16) + String($0 & 0xF, radix: 16) }.joined()
        }
        var ids = [UInt32](repeating: 0, count: Int(info.nr_map_ids))
        if !ids.isEmpty {
            let returned = try ids.withUnsafeMutableBufferPointer { buffer in
                var request = bpf_prog_info()
                request.nr_map_ids = UInt32(buffer.count)
                request.map_ids = UInt64(UInt(bitPattern: buffer.baseAddress))
                var requestLength = UInt32(MemoryLayout<bpf_prog_info>.size)
                try negativeErrno("read the map ids of BPF program \(info.id)", bpf_obj_get_info_by_fd(fd, &request, &requestLength))
                return Int(request.nr_map_ids)
            }
            // The kernel says how many the program has; it fills at most as many as were asked for.
            ids = Array(ids.prefix(returned))
        }
        mapIDs = ids
    }

    /// Info about any loaded program by id, e.g. one found attached to an interface.
    /// The C function is `bpf_prog_get_fd_by_id`.
    public init(id: UInt32) throws {
        let fd = try negativeErrno("open BPF program \(id)", bpf_prog_get_fd_by_id(id))
        defer { close(fd) }
        try self.init(fd: fd)
    }
}

/// An attachment made through libbpf; destroying it detaches. The C function is `bpf_link__destroy`.
public final class BPFLink {
    let handle: OpaquePointer
    init(handle: OpaquePointer) { self.handle = handle }
    deinit { bpf_link__destroy(handle) }

    /// For an iterator link: a new descriptor whose reads run the iterator once from the start; the caller
    /// closes it. The C function is `bpf_iter_create`.
    public func openIterator() throws -> Int32 {
        try negativeErrno("start BPF iterator", bpf_iter_create(bpf_link__fd(handle)))
    }
}

extension BPFProgram {
    /// Attaches an iterator program (`SEC("iter/…")`) without parameters. The C function is `bpf_program__attach_iter`.
    public func attachIterator() throws -> BPFLink {
        try BPFLog.withMessages { messages in
            guard let link = bpf_program__attach_iter(handle, nil) else {
                throw SystemError("attach BPF iterator \(name)", errno: Glibc.errno, extra: messages())
            }
            return BPFLink(handle: link)
        }
    }
}
