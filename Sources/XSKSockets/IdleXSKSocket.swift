import Foundation

/// A real AF_XDP socket bound to one RX queue (copy mode) that nobody drains: for callers that only need a
/// socket's descriptor in an XSKMAP slot, such as `xdplab check` test-running a program against a
/// registered slot. Built on the lab stack's `XSKSocket`, with a small UMEM.
public final class IdleXSKSocket: @unchecked Sendable {
    // @unchecked: wraps an `XSKSocket` (C rings and UMEM) that nothing reads or writes after it is bound.
    private let socket: XSKSocket

    public var queue: Int { socket.queue }
    /// The value to write into the XSKMAP slot.
    public var fd: Int32 { socket.fd }

    /// Must run on a thread inside the interface's network namespace (`NetworkNamespace.run`): the socket
    /// binds there. EPERM comes back as a `CapabilityError`.
    public init(interface: String, queue: Int) throws {
        let options = XSKSocketOptions(umemFrames: 64, frameSize: 2048, ringSize: 64, initialFill: 64)
        socket = try XSKSocket(interface: interface, queue: queue, options: options)
    }

    /// Deletes the socket (which also leaves every XSKMAP) and its UMEM. Idempotent.
    public func close() { socket.close() }
}
