import Foundation

/// The frames of a check in a file, so the C benchmark in Benchmarks/check-rate runs exactly the same
/// packets on the same queues: "XDPLABF1", little-endian u32 frame count, u32 count of the leading frames that run
/// on every queue (each later one runs on queue (index - that count) % queues), then per frame a u32 length
/// and the bytes.
public enum FrameFile {
    public static let magic = Array("XDPLABF1".utf8)

    static func write(_ batch: FrameBatch, to path: String) throws {
        var data = Data(magic)
        data.reserveCapacity(magic.count + 4 + batch.count * 4 + batch.bytes.count)
        append(UInt32(batch.count), to: &data)
        append(UInt32(batch.everyQueueCount), to: &data)
        batch.bytes.withUnsafeBytes { bytes in
            for index in 0..<batch.count {
                let start = Int(batch.offsets[index]), length = Int(batch.lengths[index])
                append(UInt32(length), to: &data)
                data.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<start + length]))
            }
        }
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw CheckFailure(.badInput, "cannot write the frames to \(path): \(error.localizedDescription)")
        }
    }

    /// The frames of a file written by `write` and how many of them run on every queue, or nil when it is not one.
    public static func read(_ path: String) -> (frames: [[UInt8]], everyQueue: Int)? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)), data.count >= magic.count + 4,
              Array(data.prefix(magic.count)) == magic else { return nil }
        let bytes = [UInt8](data)
        var cursor = magic.count
        func u32() -> Int? {
            guard cursor + 4 <= bytes.count else { return nil }
            defer { cursor += 4 }
            return Int(bytes[cursor]) | Int(bytes[cursor + 1]) << 8 | Int(bytes[cursor + 2]) << 16 | Int(bytes[cursor + 3]) << 24
        }
        guard let count = u32(), let every = u32(), every <= count else { return nil }
        var frames: [[UInt8]] = []
        frames.reserveCapacity(count)
        for _ in 0..<count {
            guard let length = u32(), cursor + length <= bytes.count else { return nil }
            frames.append(Array(bytes[cursor..<cursor + length]))
            cursor += length
        }
        return cursor == bytes.count ? (frames, every) : nil
    }

    private static func append(_ value: UInt32, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }
}
