/// Two consecutive arrivals whose sequence numbers are not consecutive.
///
/// `missed` is `next - previous - 1`, as the published map-ring experiment printed it: positive when
/// packets were skipped, negative when the receiver jumped back to older packets, -1 for a repeat.
public struct SequenceGap: Sendable, Hashable, CustomStringConvertible {
    public var previous: UInt64
    public var next: UInt64

    public init(previous: UInt64, next: UInt64) {
        self.previous = previous
        self.next = next
    }

    public var missed: Int64 { Int64(bitPattern: next &- previous &- 1) }

    /// "missed 64 packets between 1278788 and 1278853"
    public var description: String { "missed \(missed) packets between \(previous) and \(next)" }
}
