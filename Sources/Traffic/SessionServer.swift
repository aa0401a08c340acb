import Foundation
import Synchronization
import Glibc
import CLibBPF  // SOCK_STREAM and SOCK_CLOEXEC: in this module they resolve through CLibBPF, not Glibc
import SystemSupport
import Packets

/// The server side of the SSH-like sessions: a kernel TCP listener in the receiver's namespace that
/// answers every tagged request line "<tag>exchange N queue Q\n" with "ok exchange N queue Q\n".
///
/// The accept loop and each connection run on their own thread and look at the stop flag every
/// `SessionServer.tick` seconds, so `stop()` never closes a descriptor that another thread still uses.
final class SessionServer: Sendable {
    static let tick = 0.05
    static let maxConnections = 64

    let listener: Int32
    let address: String
    private let stopFlag = StopFlag()
    private let threads = DispatchGroup()
    private let connections = Mutex(0)

    /// Opens, binds and listens inside `side.namespace`, then starts accepting.
    static func start(side: TrafficSide, port: UInt16) throws -> SessionServer {
        let address = "\(AddressText.ip(side.ipv4)):\(port)"
        let what = "\(side.namespace) \(address)"
        let fd = try NetworkNamespace.run(side.namespace) { () throws -> Int32 in
            let fd = try syscall("open session server socket in \(side.namespace)") {
                socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            }
            do {
                try Sockets.setOption(fd, SOL_SOCKET, SO_REUSEADDR, Int32(1), "SO_REUSEADDR on \(what)")
                try Sockets.bind(fd, Sockets.ipv4Address(side.ipv4, port: port), "session server to \(what)")
                try syscall("listen on \(what)") { listen(fd, Int32(maxConnections)) }
            } catch {
                Glibc.close(fd)
                throw error
            }
            return fd
        }
        let server = SessionServer(listener: fd, address: address)
        server.spawn { server.acceptLoop() }
        return server
    }

    private init(listener: Int32, address: String) {
        self.listener = listener
        self.address = address
    }

    /// Ends the accept loop and every connection, waits for their threads, closes the listener.
    /// Safe to call twice.
    func stop() {
        guard stopFlag.raise() else { return }
        threads.wait()
        Glibc.close(listener)
    }

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        threads.enter()
        let thread = Thread { [threads] in
            body()
            threads.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func acceptLoop() {
        while !stopFlag.isRaised {
            guard Sockets.wait(listener, Int16(POLLIN), seconds: Self.tick) else { continue }
            // accept4 needs _GNU_SOURCE, which Swift's Glibc lacks; set close-on-exec right after.
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let admitted = connections.withLock { count in
                guard count < Self.maxConnections else { return false }
                count += 1
                return true
            }
            guard admitted else { Glibc.close(fd); continue }
            _ = try? Sockets.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, Int32(1), "TCP_NODELAY")
            spawn { [self] in
                serve(fd)
                Glibc.close(fd)
                connections.withLock { $0 -= 1 }
            }
        }
    }

    private func serve(_ fd: Int32) {
        var reader = StreamReader(fd: fd)
        while !stopFlag.isRaised {
            // A request is the 16-byte tag, then text up to a newline (the tag itself may hold 0x0a).
            if let request = reader.takeLine(from: PacketTag.size) {
                let text = request[PacketTag.size...]
                if Sockets.writeAll(fd, Array("ok ".utf8) + text, timeout: 1) != nil { return }
                continue
            }
            switch reader.fill(timeout: Self.tick) {
            case .data, .timedOut: continue
            case .closed, .failed: return
            }
        }
    }
}
