import Glibc
import CLinux
import Packets
import SystemSupport
import Sequencing

/// Sends a sequenced run from the sender's side of the lab link: UDP over IPv4 to one port on one RX queue of
/// the receiver, each payload a `SequencePayload` (number and send stamp) followed by a `PacketTag` whose id
/// is the sequence number, so the capture can tell which packets of the run reached the kernel.
///
/// Frames are built once and patched per packet; the UDP checksum is 0 ("none", allowed for IPv4), so
/// patching needs no arithmetic. Packets that are due together (a paced sender that fell behind, or
/// as-fast-as-possible) leave in one `sendmmsg` of up to `batchLimit`.
public final class SequenceSender {
    public struct Outcome: Sendable {
        /// CLOCK_MONOTONIC nanoseconds when packet 0 was due: the origin of every fault time.
        public let start: UInt64
        /// When packet i left (the stamp in its payload), CLOCK_MONOTONIC, indexed by sequence number.
        public let sendTimes: [UInt64]
        public let pacing: PacingReport?
        /// Batches the kernel refused at first (ENOBUFS, EAGAIN: the veth ring was full) and that were sent again.
        public let retries: Int

        public var sent: Int { sendTimes.count }
    }

    public static let batchLimit = 32
    /// The most packets one run sends, whatever the schedule says: send times and arrivals stay in memory.
    public static let packetLimit = 10_000_000

    /// "udp 198.18.0.2:40000 > 198.18.0.1:8003 on queue 0".
    public let flow: String
    private var fd: Int32
    private let frameLength: Int
    private let payloadOffset: Int
    private let frames: UnsafeMutableRawPointer
    private let vectors: UnsafeMutablePointer<iovec>

    /// Opens the sending socket and builds the frame.
    public init(endpoints: TrafficEndpoints, port: UInt16, queue: Int, sourcePort: UInt16 = 40_000) throws {
        let sender = endpoints.sender, receiver = endpoints.receiver
        let payload = SequencePayload(sequence: 0, sentNanoseconds: 1).bytes(trailer: PacketTag.bytes(id: 0))
        var template = FrameBuilder(source: sender.mac, destination: receiver.mac)
            .ipv4(IPv4Header(source: sender.ipv4, destination: receiver.ipv4, dontFragment: true),
                  .udp(source: sourcePort, destination: port, payload: payload))
        guard let offset = Self.offset(of: SequencePayload.magic, in: template) else {
            preconditionFailure("a built sequence frame holds its payload")
        }
        template[offset - 2] = 0   // UDP checksum: none
        template[offset - 1] = 0
        payloadOffset = offset
        frameLength = template.count
        flow = "udp \(AddressText.ip(sender.ipv4)):\(sourcePort) > \(AddressText.ip(receiver.ipv4)):\(port) on queue \(queue)"
        fd = try SteeredPacketSocket.open(sender, queue: queue)
        frames = UnsafeMutableRawPointer.allocate(byteCount: Self.batchLimit * frameLength, alignment: 64)
        vectors = UnsafeMutablePointer<iovec>.allocate(capacity: Self.batchLimit)
        for slot in 0..<Self.batchLimit {
            let frame = frames + slot * frameLength
            template.withUnsafeBytes { frame.copyMemory(from: $0.baseAddress!, byteCount: frameLength) }
            vectors[slot] = iovec(iov_base: frame, iov_len: frameLength)
        }
    }

    deinit {
        close()
        frames.deallocate()
        vectors.deallocate()
    }

    /// Closes the socket; safe to call twice.
    public func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }

    /// Sends the whole run on the calling thread; packet i is due at `start + i × interval`, and a late packet
    /// never pushes the later ones back. A send the kernel refuses for lack of room is retried for up to a
    /// second, then the run fails: the sender never skips a number.
    public func run(_ schedule: PacedSchedule, start: UInt64 = MonotonicClock.now()) throws -> Outcome {
        guard fd >= 0 else { throw SystemError("send a sequence on a closed sender", errno: EBADF) }
        let limit = min(schedule.plannedCount ?? Self.packetLimit, Self.packetLimit)
        var sendTimes: [UInt64] = []
        if let planned = schedule.plannedCount { sendTimes.reserveCapacity(min(planned, Self.packetLimit)) }
        var retries = 0
        var index = 0
        while index < limit, !schedule.isFinished(sent: index, start: start, now: MonotonicClock.now()) {
            guard let deadline = schedule.deadline(ofPacket: index, start: start) else { break }
            if schedule.interval != nil { MonotonicClock.wait(until: deadline) }
            let now = MonotonicClock.now()
            var count = 1
            while count < Self.batchLimit, index + count < limit,
                  let next = schedule.deadline(ofPacket: index + count, start: start), next <= now {
                count += 1
            }
            for slot in 0..<count { stamp(slot, sequence: UInt64(index + slot), at: now) }
            retries += try send(count, first: index)
            sendTimes.append(contentsOf: repeatElement(now, count: count))
            index += count
        }
        return Outcome(start: start, sendTimes: sendTimes,
                       pacing: PacingReport(sendTimes: sendTimes, schedule: schedule), retries: retries)
    }

    /// Writes the sequence number, the send stamp and the tag id into the frame in `slot`, big endian.
    private func stamp(_ slot: Int, sequence: UInt64, at time: UInt64) {
        let payload = frames + slot * frameLength + payloadOffset
        payload.storeBytes(of: sequence.bigEndian, toByteOffset: 8, as: UInt64.self)
        payload.storeBytes(of: time.bigEndian, toByteOffset: 16, as: UInt64.self)
        payload.storeBytes(of: sequence.bigEndian, toByteOffset: SequencePayload.size + PacketTag.magic.count, as: UInt64.self)
    }

    /// Sends the first `count` slots; returns how many times the kernel had no room.
    private func send(_ count: Int, first sequence: Int) throws -> Int {
        var done = 0, refusals = 0
        var giveUp: UInt64?
        while done < count {
            let result = clinux_send_batch(fd, vectors + done, UInt32(count - done))
            if result > 0 {
                done += Int(result)
                continue
            }
            let code = result == 0 ? EAGAIN : -result
            guard code == ENOBUFS || code == EAGAIN || code == EINTR else {
                throw SystemError("send sequence packets \(sequence + done)… (\(flow))", errno: code)
            }
            if code == EINTR { continue }
            refusals += 1
            let now = MonotonicClock.now()
            if giveUp == nil { giveUp = now + 1_000_000_000 }
            if now > giveUp! {
                throw SystemError("send sequence packet \(sequence + done) (\(flow)): the link stayed full for 1s", errno: code)
            }
            sched_yield()
        }
        return refusals
    }

    static func offset(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
