import Foundation
import Glibc
import CLinux

/// Runs code inside a network namespace.
///
/// `setns(2)` switches only the calling thread, so every call gets a fresh thread that enters the
/// namespace, runs the body and ends. Sockets, AF_XDP sockets and pcap handles opened in the body keep
/// that namespace for life and may then be used from any thread.
public enum NetworkNamespace {
    public static let runDirectory = "/run/netns"

    public static func path(_ name: String) -> String { "\(runDirectory)/\(name)" }

    public static func run<T>(_ name: String, _ body: () throws -> T) throws -> T {
        let nsPath = path(name)
        return try withoutActuallyEscaping(body) { body in
            let box = Box(body)
            let thread = Thread {
                box.outcome = Result {
                    let fd = try syscall("open namespace \(name) (\(nsPath))") { open(nsPath, O_RDONLY | O_CLOEXEC) }
                    defer { close(fd) }
                    try syscall("enter namespace \(name)") { clinux_setns_net(fd) }
                    return try box.body!()
                }
                // The Thread object may outlive this call; it must not keep the caller's non-escaping closure.
                box.body = nil
                box.done.signal()
            }
            thread.stackSize = 4 << 20
            thread.start()
            box.done.wait()
            return try box.outcome!.get()
        }
    }

    /// Hands the body and its result between the caller and the namespace thread; the semaphore orders them.
    private final class Box<T>: @unchecked Sendable {
        // @unchecked: the body and the outcome are handed over once each way, ordered by the `done` semaphore.
        var body: (() throws -> T)?
        var outcome: Result<T, Error>?
        let done = DispatchSemaphore(value: 0)
        init(_ body: @escaping () throws -> T) { self.body = body }
    }
}
