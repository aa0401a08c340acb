import Glibc
import CLibBPF
import SystemSupport

/// The producer's side of a map ring at one moment: its write index and what it did with packets.
public struct MapRingControl: Sendable, Equatable {
    /// Slots the XDP program has moved past. The buggy ring also moves past slots it could not fill.
    public var writeIndex: UInt64
    /// Packets put into the ring.
    public var stored: UInt64
    /// Packets dropped because the slot at the write index still held an unconsumed packet.
    public var fullDrops: UInt64
    /// Packets dropped because other CPUs kept taking the slot first.
    public var contentionDrops: UInt64

    /// Reads the control map's single element under its spin lock, so the fields agree with each other.
    /// The C function is `bpf_map_lookup_elem_flags` with `BPF_F_LOCK`.
    public init(controlMapFD fd: Int32) throws {
        var key: UInt32 = 0
        var value = [UInt8](repeating: 0, count: MapRingLayout.controlSize)
        try negativeErrno("read map ring control (map fd \(fd))",
                          bpf_map_lookup_elem_flags(fd, &key, &value, UInt64(BPF_F_LOCK)))
        func field(_ offset: Int) -> UInt64 {
            value.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        }
        writeIndex = field(MapRingLayout.writeIndexOffset)
        stored = field(MapRingLayout.storedOffset)
        fullDrops = field(MapRingLayout.fullDropsOffset)
        contentionDrops = field(MapRingLayout.contentionDropsOffset)
    }

    public init(writeIndex: UInt64, stored: UInt64, fullDrops: UInt64, contentionDrops: UInt64) {
        self.writeIndex = writeIndex
        self.stored = stored
        self.fullDrops = fullDrops
        self.contentionDrops = contentionDrops
    }
}
