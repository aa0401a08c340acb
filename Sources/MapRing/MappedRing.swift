import Glibc
import CMapRing
import CLibBPF
import BPFSupport
import SystemSupport

/// The ring map's slots, memory-mapped into this process (the map was created with BPF_F_MMAPABLE).
/// Holds its own duplicate of the map's descriptor, so it stays valid whatever the caller closes.
/// The C functions are `mmap` and `munmap`.
final class MappedRing: @unchecked Sendable {
    // @unchecked: a raw pointer to the map's mmap()ed slots, which the kernel writes concurrently by design; it is
    // never reassigned.
    let fd: Int32
    let slots: Int
    let base: UnsafeMutableRawPointer
    let length: Int

    init(ringMapFD: Int32) throws {
        let info = try BPFMapInfo(fd: ringMapFD)
        guard info.type == BPF_MAP_TYPE_ARRAY.rawValue, info.isMemoryMappable, info.keySize == 4,
              info.valueSize == MapRingLayout.slotSize, info.maxEntries > 0 else {
            throw SystemError("map ring slots of map \(info.name) (type \(info.type), flags \(info.flags), "
                              + "\(info.keySize)-byte keys, \(info.valueSize)-byte values): expected a BPF_F_MMAPABLE "
                              + "array of \(MapRingLayout.slotSize)-byte struct map_ring_slot", errno: EINVAL)
        }
        slots = info.maxEntries
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        length = (slots * MapRingLayout.slotStride + page - 1) / page * page
        fd = try syscall("duplicate ring map fd \(ringMapFD)") { fcntl(ringMapFD, F_DUPFD_CLOEXEC, 0) }
        guard let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            let code = errno
            close(fd)
            throw SystemError("memory-map ring map \(info.name) (\(length) bytes)", errno: code)
        }
        base = mapped
    }

    deinit {
        munmap(base, length)
        close(fd)
    }

    func slot(_ index: UInt64) -> UnsafeMutableRawPointer {
        base + Int(index % UInt64(slots)) * MapRingLayout.slotStride
    }

    /// Slots holding an unconsumed packet right now.
    func occupied() -> Int {
        Int(cmapring_count(base, MapRingLayout.slotStride, UInt32(slots), MapRingLayout.slotValid))
    }

    /// The valid flag of every slot, in slot order (0 free, 1 valid, 2 being written).
    func states() -> [UInt32] {
        (0..<slots).map { cmapring_load_acquire_u32(base + $0 * MapRingLayout.slotStride) }
    }
}
