import Foundation
import Glibc
import Synchronization
import CLibBPF  // SOCK_DGRAM and SOCK_CLOEXEC resolve through CLibBPF in this module
import CLinux
import Packets
import SystemSupport
import Sequencing

/// The kernel's own receive path as a sequence receiver: a UDP socket bound to the receiver's address and
/// port inside its namespace, drained by a thread with `recvmmsg` (up to 64 datagrams a call). Each arrival
/// is stamped when the batch is taken (CLOCK_MONOTONIC), so latency includes the kernel's queueing.
///
/// `start()` binds: until then datagrams to the port are refused (ICMP port unreachable), which is what a
/// delayed registration looks like for a UDP socket. A `ConsumerGate` stalls the reader on purpose.
public final class UDPSequenceReceiver: @unchecked Sendable {
    // @unchecked: the reader thread owns its locals; everything shared is atomic or guarded by `lock`.
    public let side: TrafficSide
    public let port: UInt16
    public let gate: ConsumerGate

    private let lock = NSLock()
    private var fd: Int32 = -1
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private let stopRequested = Atomic<Bool>(false)
    private let received = Atomic<Int>(0)
    private var taken: [SequenceArrival] = []
    private var foreign = 0
    private var failure: String?

    public init(side: TrafficSide, port: UInt16, gate: ConsumerGate = ConsumerGate()) {
        self.side = side
        self.port = port
        self.gate = gate
    }

    deinit { stop() }

    /// Opens and binds the socket in the receiver's namespace, then starts reading. Runs once.
    public func start() throws {
        let what = "\(side.namespace) \(AddressText.ip(side.ipv4)):\(port)"
        let opened = try NetworkNamespace.run(side.namespace) { () throws -> Int32 in
            let fd = try syscall("open UDP socket in \(side.namespace)") {
                socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            }
            do {
                try Sockets.bind(fd, Sockets.ipv4Address(side.ipv4, port: port), "sequence receiver to \(what)")
            } catch {
                Glibc.close(fd)
                throw error
            }
            return fd
        }
        lock.withLock {
            precondition(thread == nil, "a UDPSequenceReceiver starts once")
            fd = opened
            let reader = Thread { [self] in
                read(opened)
                finished.signal()
            }
            reader.name = "udp-sequence-\(port)"
            thread = reader
            reader.start()
        }
    }

    /// Datagrams taken so far (sequence payloads or not).
    public var receivedCount: Int { received.load(ordering: .acquiring) }

    /// Stops the reader, waits for it and closes the socket; what it read stays readable. Safe to call twice.
    public func stop() {
        let running: Bool = lock.withLock {
            defer { thread = nil }
            return thread != nil
        }
        guard running else { return }
        stopRequested.store(true, ordering: .releasing)
        finished.wait()
        lock.withLock {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    /// Sequence-payload arrivals in the order they were read (complete after `stop()`).
    public func arrivals() -> [SequenceArrival] { lock.withLock { taken } }

    /// Datagrams whose payload was not a sequence payload.
    public var foreignPayloads: Int { lock.withLock { foreign } }

    /// Why reading stopped early, if it did.
    public var error: String? { lock.withLock { failure } }

    private func read(_ fd: Int32) {
        let batch = 64, size = 64   // a sequence payload is 24 bytes; the rest of a datagram is cut off
        let buffers = UnsafeMutableRawPointer.allocate(byteCount: batch * size, alignment: 64)
        let vectors = UnsafeMutablePointer<iovec>.allocate(capacity: batch)
        var lengths = [UInt32](repeating: 0, count: batch)
        defer {
            buffers.deallocate()
            vectors.deallocate()
        }
        var arrivals: [SequenceArrival] = []
        var others = 0
        var problem: String?
        let stop = { self.stopRequested.load(ordering: .acquiring) }
        while !stop() {
            gate.holdIfStalled(shouldStop: stop)
            for slot in 0..<batch { vectors[slot] = iovec(iov_base: buffers + slot * size, iov_len: size) }
            let count = clinux_receive_batch(fd, vectors, UInt32(batch), &lengths)
            if count > 0 {
                let now = MonotonicClock.now()
                for slot in 0..<Int(count) {
                    let payload = UnsafeRawBufferPointer(start: buffers + slot * size, count: Int(lengths[slot]))
                    if let parsed = SequencePayload(payload: payload) {
                        arrivals.append(SequenceArrival(sequence: parsed.sequence, arrivalNanoseconds: now,
                                                        sentNanoseconds: parsed.sentNanoseconds))
                    } else {
                        others += 1
                    }
                }
                received.add(Int(count), ordering: .releasing)
            } else if count == -EAGAIN {
                _ = Sockets.wait(fd, Int16(POLLIN), seconds: 0.05)
            } else if count != -EINTR {
                problem = SystemError("receive sequence datagrams on port \(port)", errno: -count).description
                break
            }
        }
        lock.withLock {
            taken = arrivals
            foreign = others
            failure = problem
        }
    }
}

extension UDPSequenceReceiver {
    /// The namespace's UDP counters (`Udp:` of /proc/net/snmp: InDatagrams, RcvbufErrors, NoPorts, …), which
    /// say why datagrams never reached the socket. Read from a thread inside the namespace through
    /// /proc/thread-self: /proc/self/net would show the process's main thread's namespace.
    public static func kernelCounters(namespace: String) throws -> [String: UInt64] {
        let text = try NetworkNamespace.run(namespace) {
            try String(contentsOfFile: "/proc/thread-self/net/snmp", encoding: .utf8)
        }
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("Udp: ") }
        guard rows.count == 2 else { return [:] }
        let names = rows[0].split(separator: " ").dropFirst(), values = rows[1].split(separator: " ").dropFirst()
        var counters: [String: UInt64] = [:]
        for (name, value) in zip(names, values) { counters[String(name)] = UInt64(value) }
        return counters
    }
}
