/// Tag ids of the load phase. Every copy of one load template carries the same id, `base + template index`,
/// so the receiving side counts per template instead of remembering millions of packets.
public enum LoadTag {
    /// Far above the paced classes' ids, which count up from 1.
    public static let base: UInt64 = 0x4C4F_4144_0000_0000   // "LOAD"
    /// The most templates one load phase may have; must match TALLY_SLOTS in ingress_tally.bpf.c.
    public static let capacity = 4096

    /// The template index of a load id, nil for any other id.
    @inline(__always)
    public static func slot(of id: UInt64) -> Int? {
        id >= base && id < base + UInt64(capacity) ? Int(id - base) : nil
    }
}
