/// Every slot's flag of a map ring at one moment: 0 free, 1 holds an unconsumed packet, 2 being written.
/// Beside `RingSample`'s counts, it shows *which* slots are full: after the overwrite bug the full slots
/// sit ahead of the reader instead of behind the writer.
public struct RingSlotSnapshot: Sendable, Hashable {
    /// CLOCK_MONOTONIC nanoseconds, the same as the `RingSample` taken with it.
    public var time: UInt64
    public var states: [UInt32]

    public init(time: UInt64, states: [UInt32]) {
        self.time = time
        self.states = states
    }

    public static let csvHeader = "time_ns,slots"

    /// "123456789,0011110000…": one digit per slot, slot 0 first (a flag above 9 prints as '?').
    public var csvLine: String {
        "\(time)," + String(states.map { $0 <= 9 ? Character(String($0)) : "?" })
    }

    /// The snapshots as a CSV file, header first, newline-terminated.
    public static func csv(_ snapshots: [RingSlotSnapshot]) -> String {
        ([csvHeader] + snapshots.map(\.csvLine)).joined(separator: "\n") + "\n"
    }
}
