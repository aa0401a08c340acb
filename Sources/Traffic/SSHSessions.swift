import Foundation
import Glibc
import CLibBPF  // SOCK_STREAM and SOCK_CLOEXEC: in this module they resolve through CLibBPF, not Glibc
import SystemSupport
import Evidence

/// SSH-like sessions: long-lived kernel TCP connections that must keep working while the stack runs.
///
/// A server listens on the receiver's IPv4 address; one client per RX queue connects from the sender
/// with `SO_MARK = QueueSteering.mark(forQueue: q)`, so every client segment lands on queue q. Each
/// client writes a tagged request line every `interval` seconds and waits for the answer; no answer
/// within `maxStall` seconds marks the session stalled (it keeps waiting, in case TCP recovers),
/// and a session never waits past `duration + maxStall`. Request tags use the ids of
/// `tagID(queue:exchange:)`, far above the ids a planner hands out.
public final class SSHSessions: @unchecked Sendable {
    // @unchecked: `records` is guarded by `lock`; each client thread owns its socket and state.
    public let endpoints: TrafficEndpoints
    public let port: UInt16
    private let server: SessionServer
    private let stopFlag = StopFlag()
    private let clients = DispatchGroup()
    private let lock = NSLock()
    private var records: [SessionRecord] = []

    /// The tag id of exchange `exchange` of the session on `queue`: 0x5353 ("SS") in the top 16 bits.
    public static func tagID(queue: Int, exchange: Int) -> UInt64 {
        0x5353_0000_0000_0000 | UInt64(queue & 0xFFFF) << 32 | UInt64(UInt32(truncatingIfNeeded: exchange))
    }

    /// Starts the server and the clients; returns at once. `startedAt` (a `TrafficClock.now()`
    /// value, default now) is the origin of `stalledAt`.
    public static func start(endpoints: TrafficEndpoints, port: UInt16, interval: Double, maxStall: Double,
                             duration: Double, startedAt: Double? = nil) throws -> SSHSessions {
        precondition(interval > 0 && maxStall > 0 && duration >= 0, "interval and maxStall must be positive")
        let server = try SessionServer.start(side: endpoints.receiver, port: port)
        let sender = endpoints.sender
        let fds: [Int32]
        do {
            fds = try NetworkNamespace.run(sender.namespace) { () throws -> [Int32] in
                var opened: [Int32] = []
                do {
                    for queue in 0..<max(1, endpoints.queues) {
                        let what = "session client for queue \(queue) in \(sender.namespace)"
                        let fd = try syscall("open \(what)") {
                            socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                        }
                        opened.append(fd)
                        try Sockets.setOption(fd, SOL_SOCKET, SO_MARK, QueueSteering.mark(forQueue: queue), "SO_MARK on \(what)")
                        try Sockets.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, Int32(1), "TCP_NODELAY on \(what)")
                        try Sockets.bind(fd, Sockets.ipv4Address(sender.ipv4, port: 0), what)
                    }
                } catch {
                    opened.forEach { _ = Glibc.close($0) }
                    throw error
                }
                return opened
            }
        } catch {
            server.stop()
            throw error
        }
        let sessions = SSHSessions(endpoints: endpoints, port: port, server: server)
        let origin = startedAt ?? TrafficClock.now()
        let plan = SessionPlan(start: TrafficClock.now(), origin: origin, interval: interval, maxStall: maxStall,
                               duration: duration)
        for (queue, fd) in fds.enumerated() {
            let client = SessionClient(fd: fd, queue: queue, endpoints: endpoints, port: port, plan: plan,
                                       stopFlag: sessions.stopFlag)
            sessions.clients.enter()
            let thread = Thread {
                let record = client.run()
                Glibc.close(fd)
                sessions.add(record)
                sessions.clients.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        return sessions
    }

    private init(endpoints: TrafficEndpoints, port: UInt16, server: SessionServer) {
        self.endpoints = endpoints
        self.port = port
        self.server = server
    }

    private func add(_ record: SessionRecord) {
        lock.lock()
        records.append(record)
        lock.unlock()
    }

    /// Waits until every session is over (its duration ran out, or it failed), stops the server and
    /// returns one record per queue.
    public func finish() -> [SessionRecord] {
        clients.wait()
        stop()
        lock.lock()
        defer { lock.unlock() }
        return records.sorted { $0.queue < $1.queue }
    }

    /// Ends the sessions early (their records say so) and the server. Safe to call twice.
    public func stop() {
        guard stopFlag.raise() else { return }
        clients.wait()
        server.stop()
    }

    deinit { stop() }
}
