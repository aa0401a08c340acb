import Glibc
import SystemSupport

/// Small socket helpers for the injector and the SSH-like sessions. Every call goes through
/// `syscall`, so failures name what was attempted.
enum Sockets {
    static func setOption<T: FixedWidthInteger>(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: T, _ what: String) throws {
        try syscall("setsockopt \(what)") {
            withUnsafeBytes(of: value) { setsockopt(fd, level, name, $0.baseAddress, socklen_t($0.count)) }
        }
    }

    static func ipv4Address(_ bytes: [UInt8], port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = (UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])).bigEndian
        return address
    }

    static func bind(_ fd: Int32, _ address: sockaddr_in, _ what: String) throws {
        var address = address
        try syscall("bind \(what)") {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }

    static func localPort(_ fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return result == 0 ? UInt16(bigEndian: address.sin_port) : 0
    }

    /// Waits up to `seconds` for `events` on `fd`; true when ready (or in error, which the next call reports).
    static func wait(_ fd: Int32, _ events: Int16, seconds: Double) -> Bool {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        let milliseconds = Int32(max(0, min(seconds, 3600)) * 1000)
        while true {
            let result = poll(&entry, 1, milliseconds)
            if result < 0 && errno == EINTR { continue }
            return result > 0
        }
    }

    /// `connect(2)` on a non-blocking socket, finished with `poll` and SO_ERROR; nil on success,
    /// else why it failed.
    static func connect(_ fd: Int32, to address: sockaddr_in, timeout: Double) -> String? {
        var address = address
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(fd, F_SETFL, flags) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result == 0 { return nil }
        guard errno == EINPROGRESS else { return "connect: " + Sockets.reason(errno) }
        guard wait(fd, Int16(POLLOUT), seconds: timeout) else { return "connect timed out" }
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
        return code == 0 ? nil : "connect: " + Sockets.reason(code)
    }

    /// Writes all of `bytes` (MSG_NOSIGNAL: a closed peer is an error, not a signal); nil or why not.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], timeout: Double) -> String? {
        var offset = 0
        while offset < bytes.count {
            guard wait(fd, Int16(POLLOUT), seconds: timeout) else { return "write timed out" }
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return errno == EPIPE || errno == ECONNRESET ? "reset by peer" : "write: " + Sockets.reason(errno)
            }
            offset += written
        }
        return nil
    }
}

extension Sockets {
    /// "Connection refused (ECONNREFUSED)": `SystemError`'s wording without an attempt in front.
    static func reason(_ code: Int32) -> String {
        String(SystemError("", errno: code).description.dropFirst(2))
    }
}

/// Reads from a stream socket with a buffer, so that records can be taken off one at a time.
struct StreamReader {
    enum Outcome { case data, timedOut, closed, failed(String) }

    let fd: Int32
    private(set) var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    /// One read of whatever is there, waiting at most `timeout` seconds for it.
    mutating func fill(timeout: Double) -> Outcome {
        guard Sockets.wait(fd, Int16(POLLIN), seconds: timeout) else { return .timedOut }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { buffer += chunk[0..<count]; return .data }
            if count == 0 { return .closed }
            if errno == EINTR { continue }
            if errno == EAGAIN { return .data }
            return errno == ECONNRESET ? .failed("reset by peer") : .failed("read: " + Sockets.reason(errno))
        }
    }

    /// Takes the bytes up to and including the first newline at or after `from`, if there is one.
    mutating func takeLine(from start: Int = 0) -> [UInt8]? {
        guard buffer.count > start, let end = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = Array(buffer[0...end])
        buffer.removeFirst(end + 1)
        return line
    }
}
