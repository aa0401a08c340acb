import Glibc

/// A failed system call or command, carrying what was attempted so the message stands on its own:
/// "enter namespace xdplab-1a2b-peer: No such file or directory (ENOENT)".
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let attempted: String
    public let errno: Int32
    public let extra: String?

    public init(_ attempted: String, errno: Int32, extra: String? = nil) {
        self.attempted = attempted
        self.errno = errno
        self.extra = extra
    }

    public var description: String {
        var text = "\(attempted): \(Self.errnoText(errno))"
        if let extra, !extra.isEmpty { text += ": \(extra)" }
        return text
    }

    /// "Operation not permitted (EPERM)" for a positive errno.
    public static func errnoText(_ errno: Int32) -> String {
        String(cString: strerror(errno)) + (errnoNames[errno].map { " (\($0))" } ?? " (errno \(errno))")
    }

    static let errnoNames: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", EINTR: "EINTR", EIO: "EIO", EBADF: "EBADF", EAGAIN: "EAGAIN",
        ENOMEM: "ENOMEM", EACCES: "EACCES", EBUSY: "EBUSY", EEXIST: "EEXIST", ENODEV: "ENODEV",
        EINVAL: "EINVAL", ENOSPC: "ENOSPC", EOPNOTSUPP: "EOPNOTSUPP", ENOBUFS: "ENOBUFS",
        EADDRINUSE: "EADDRINUSE", E2BIG: "E2BIG", ESRCH: "ESRCH", ETIMEDOUT: "ETIMEDOUT",
    ]
}

/// Runs a system call, retrying EINTR, and turns -1 into a `SystemError` that names the attempt.
@discardableResult
public func syscall<T: FixedWidthInteger>(_ attempted: @autoclosure () -> String, _ body: () -> T) throws -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        throw SystemError(attempted(), errno: code)
    }
}

/// For C library calls that return a negative errno instead of setting errno (libbpf, libxdp).
@discardableResult
public func negativeErrno(_ attempted: @autoclosure () -> String, _ result: Int32) throws -> Int32 {
    if result < 0 { throw SystemError(attempted(), errno: -result) }
    return result
}
