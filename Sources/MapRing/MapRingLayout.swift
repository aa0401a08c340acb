/// The byte layout of the map-ring programs' maps (Labs/programs/include/map_ring.h), checked against
/// what the kernel reports for the loaded maps before anything is mapped or read.
public enum MapRingLayout {
    /// Map and global names in the BPF object.
    public static let ringMapName = "ring_slots"
    public static let controlMapName = "ring_control"
    public static let portGlobal = "ring_port"

    /// struct map_ring_slot: u32 valid, u32 len, u64 arrival_ns, u8 data[64].
    public static let slotSize = 80
    public static let slotDataOffset = 16
    public static let slotDataCapacity = 64
    /// Values of `valid`.
    public static let slotFree: UInt32 = 0
    public static let slotValid: UInt32 = 1
    public static let slotClaimed: UInt32 = 2

    /// struct map_ring_control: bpf_spin_lock, u32, then u64 write_index, stored, full_drops, contention_drops.
    public static let controlSize = 40
    static let writeIndexOffset = 8
    static let storedOffset = 16
    static let fullDropsOffset = 24
    static let contentionDropsOffset = 32

    /// An array map's values sit at multiples of the value size rounded up to 8 bytes (kernel `elem_size`).
    static var slotStride: Int { (slotSize + 7) & ~7 }
}
