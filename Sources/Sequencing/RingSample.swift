/// One look at a map ring during a run: both indexes and how many slots held unconsumed packets.
public struct RingSample: Sendable, Hashable {
    /// CLOCK_MONOTONIC nanoseconds.
    public var time: UInt64
    /// Slots the producer (the XDP program) has advanced past; the buggy ring also counts the drops.
    public var writeIndex: UInt64
    /// Slots the consumer has taken.
    public var readIndex: UInt64
    /// Slots holding a packet not yet consumed.
    public var occupied: Int
    public var ringSize: Int
    /// Whether the consumer was stalled on purpose at that moment.
    public var stalled: Bool

    public init(time: UInt64, writeIndex: UInt64, readIndex: UInt64, occupied: Int, ringSize: Int, stalled: Bool = false) {
        self.time = time
        self.writeIndex = writeIndex
        self.readIndex = readIndex
        self.occupied = occupied
        self.ringSize = ringSize
        self.stalled = stalled
    }

    public static let csvHeader = "time_ns,write_index,read_index,occupied,ring_size,stalled"

    public var csvLine: String {
        "\(time),\(writeIndex),\(readIndex),\(occupied),\(ringSize),\(stalled ? 1 : 0)"
    }

    /// The samples as a CSV file, header first, one line each, newline-terminated.
    public static func csv(_ samples: [RingSample]) -> String {
        ([csvHeader] + samples.map(\.csvLine)).joined(separator: "\n") + "\n"
    }

    public struct CSVError: Error, CustomStringConvertible {
        public let line: Int
        public let text: String
        public var description: String { "ring samples, line \(line): cannot read \"\(text)\"" }
    }

    /// Reads what `csv(_:)` wrote.
    public static func parse(csv text: String) throws -> [RingSample] {
        var samples: [RingSample] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingSuffix("\r")
            if trimmed.isEmpty || (number == 0 && trimmed == csvHeader) { continue }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 6, let time = UInt64(fields[0]), let write = UInt64(fields[1]),
                  let read = UInt64(fields[2]), let occupied = Int(fields[3]), let size = Int(fields[4]),
                  fields[5] == "0" || fields[5] == "1"
            else { throw CSVError(line: number + 1, text: String(trimmed)) }
            samples.append(RingSample(time: time, writeIndex: write, readIndex: read, occupied: occupied,
                                      ringSize: size, stalled: fields[5] == "1"))
        }
        return samples
    }
}

private extension Substring {
    func trimmingSuffix(_ suffix: String) -> Substring { hasSuffix(suffix) ? dropLast(suffix.count) : self }
}
