import Glibc
import CLibBPF
import SystemSupport

/// What the kernel says about a map behind a file descriptor (`struct bpf_map_info`).
/// The C function is `bpf_obj_get_info_by_fd`.
public struct BPFMapInfo: Sendable, Equatable {
    public let id: UInt32
    public let name: String
    public let type: UInt32
    public let keySize: Int
    public let valueSize: Int
    public let maxEntries: Int
    public let flags: UInt32

    public init(fd: Int32) throws {
        var info = bpf_map_info()
        var length = UInt32(MemoryLayout<bpf_map_info>.size)
        try negativeErrno("read BPF map info of fd \(fd)", bpf_obj_get_info_by_fd(fd, &info, &length))
        id = info.id
        type = info.type
        keySize = Int(info.key_size)
        valueSize = Int(info.value_size)
        maxEntries = Int(info.max_entries)
        flags = info.map_flags
        name = withUnsafeBytes(of: info.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// Info about any map by id, e.g. one a program found attached uses. The C function is `bpf_map_get_fd_by_id`.
    public init(id: UInt32) throws {
        let fd = try negativeErrno("open BPF map \(id)", bpf_map_get_fd_by_id(id))
        defer { close(fd) }
        try self.init(fd: fd)
    }

    public var isMemoryMappable: Bool { flags & UInt32(BPF_F_MMAPABLE) != 0 }
}
