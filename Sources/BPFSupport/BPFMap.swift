import Glibc
import CLibBPF
import SystemSupport

/// One map of a `BPFObject`, read and written through its file descriptor once the object is loaded;
/// it keeps the object alive. The C functions are `bpf_map_update_elem`, `bpf_map_lookup_elem`, `bpf_map_get_next_key`.
public struct BPFMap {
    public let object: BPFObject
    let handle: OpaquePointer

    public var name: String { String(cString: bpf_map__name(handle)) }
    public var type: bpf_map_type { bpf_map__type(handle) }
    public var keySize: Int { Int(bpf_map__key_size(handle)) }
    public var valueSize: Int { Int(bpf_map__value_size(handle)) }
    public var maxEntries: Int { Int(bpf_map__max_entries(handle)) }
    public var fd: Int32 { bpf_map__fd(handle) }

    /// Writes one element; key and value must have the map's sizes.
    public func update(key: [UInt8], value: [UInt8]) throws {
        guard key.count == keySize, value.count == valueSize else {
            throw SystemError("update map \(name): key of \(key.count) and value of \(value.count) bytes "
                              + "for a map of \(keySize)-byte keys and \(valueSize)-byte values", errno: EINVAL)
        }
        try negativeErrno("update map \(name) of \(object.fileName)",
                          bpf_map_update_elem(fd, key, value, UInt64(BPF_ANY)))
    }

    /// Writes one element from integers, e.g. an XSKMAP slot: `update(key: UInt32(queue), value: UInt32(socketFD))`.
    public func update<K: FixedWidthInteger, V: FixedWidthInteger>(key: K, value: V) throws {
        try update(key: Self.bytes(key), value: Self.bytes(value))
    }

    /// Every element of a hash or array map, read key by key (not atomic as a whole).
    public func entries() throws -> [(key: [UInt8], value: [UInt8])] {
        var result: [(key: [UInt8], value: [UInt8])] = []
        var key = [UInt8](repeating: 0, count: keySize)
        var next = [UInt8](repeating: 0, count: keySize)
        var value = [UInt8](repeating: 0, count: valueSize)
        var status = bpf_map_get_next_key(fd, nil, &next)
        while status == 0 {
            key = next
            // An element deleted meanwhile is skipped.
            if bpf_map_lookup_elem(fd, key, &value) == 0 { result.append((key, value)) }
            status = bpf_map_get_next_key(fd, key, &next)
        }
        if status != -ENOENT { try negativeErrno("read map \(name) of \(object.fileName)", status) }
        return result
    }

    /// Takes every value off a queue or stack map (`bpf_map_lookup_and_delete_elem` with no key) until it is empty.
    public func popAll() throws -> [[UInt8]] {
        var values: [[UInt8]] = []
        var value = [UInt8](repeating: 0, count: valueSize)
        while true {
            let status = bpf_map_lookup_and_delete_elem(fd, nil, &value)
            if status == -ENOENT { return values }
            try negativeErrno("take values off map \(name) of \(object.fileName)", status)
            values.append(value)
        }
    }

    static func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }
}
