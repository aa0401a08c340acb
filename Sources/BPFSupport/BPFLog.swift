import Foundation
import XDPShim

/// libbpf's and libxdp's own messages (warnings, the verifier log), collected so an error can carry them
/// instead of the library printing them to stderr. The C callback lives in XDPShim because it is variadic.
public enum BPFLog {
    /// Longest tail of the log attached to an error: the verifier's verdict is at the end.
    public static let attachedLength = 8_192

    private static let lock = NSRecursiveLock()
    private static let installed: Void = xdpshim_log_install()

    /// Runs `body` with the buffer emptied first; `messages()` returns what libbpf/libxdp said since.
    /// Calls are serialized because the library's print callback is process-wide.
    public static func withMessages<T>(_ body: (_ messages: () -> String) throws -> T) rethrows -> T {
        _ = installed
        lock.lock()
        defer { lock.unlock() }
        xdpshim_log_clear()
        return try body(current)
    }

    private static func current() -> String {
        var buffer = [CChar](repeating: 0, count: 256 * 1024)
        let length = xdpshim_log_copy(&buffer, buffer.count)
        let text = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.count > attachedLength ? "…" + String(text.suffix(attachedLength)) : text
    }
}
