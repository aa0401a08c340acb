import Foundation
import Glibc
import Packets
import Realization
import SystemSupport

/// A raw AF_PACKET socket opened in a namespace and bound to one interface: sends hand-built frames, and, with
/// `tap`, sees every frame the kernel receives there (after XDP: what XDP passed on).
public final class RawSocket: @unchecked Sendable {
    /// <linux/if_ether.h> and <linux/if_packet.h> values that Swift's Glibc does not export.
    static let everyProtocol = UInt16(0x0003)   // ETH_P_ALL
    static let outgoing = UInt8(4)              // PACKET_OUTGOING

    public let fd: Int32
    public let ifindex: Int32
    private let description: String

    /// `tap`: receive every protocol (ETH_P_ALL); otherwise the socket only sends (protocol 0 receives nothing).
    public init(namespace: String, interface: String, tap: Bool = true) throws {
        let proto = tap ? Self.everyProtocol : 0
        description = "\(namespace):\(interface)"
        (fd, ifindex) = try NetworkNamespace.run(namespace) {
            let fd = try syscall("open AF_PACKET socket in \(namespace)") {
                socket(AF_PACKET, Int32(SOCK_RAW.rawValue), Int32(proto.bigEndian))
            }
            let index = Int32(bitPattern: if_nametoindex(interface))
            if index == 0 { close(fd); throw SystemError("find \(interface) in \(namespace)", errno: ENODEV) }
            return (fd, index)
        }
        var address = Self.linkAddress(ifindex: ifindex, protocol: proto)
        do {
            _ = try address.withUnsafeMutableBytes { raw in
                try syscall("bind AF_PACKET socket to \(interface)") {
                    bind(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
                }
            }
            // Short, so a quiet link is noticed soon; `incomingTags` decides how long quiet may last.
            var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
            try syscall("set receive timeout") {
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            }
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// struct sockaddr_ll (not exported by Swift's Glibc): family, protocol, ifindex, hatype, pkttype, halen, addr[8].
    static func linkAddress(ifindex: Int32, protocol proto: UInt16) -> [UInt8] {
        var address = [UInt8](repeating: 0, count: 20)
        withUnsafeBytes(of: UInt16(AF_PACKET)) { address.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: proto.bigEndian) { address.replaceSubrange(2..<4, with: $0) }
        withUnsafeBytes(of: ifindex) { address.replaceSubrange(4..<8, with: $0) }
        return address
    }

    /// Sends one frame whole, or throws.
    public func send(_ frame: [UInt8]) throws {
        let sent = try frame.withUnsafeBytes { bytes in
            try syscall("send a \(frame.count)-byte frame on \(description)") { Glibc.send(fd, bytes.baseAddress, bytes.count, 0) }
        }
        guard sent == frame.count else {
            throw SystemError("send a \(frame.count)-byte frame on \(description): only \(sent) bytes went", errno: EMSGSIZE)
        }
    }

    public struct QuietLink: Error, CustomStringConvertible {
        public let description: String
    }

    /// Tag ids of incoming frames (not the ones this host sent), read until every tag in `sentinels` has arrived.
    /// Frames sent after everything else on each RX queue make good sentinels: a queue delivers in order, so once
    /// its sentinel is here, so is everything sent on that queue before it, and the set is complete without
    /// waiting for a quiet link. A tap that never sees its sentinels (within `timeout` seconds) throws instead
    /// of returning what it has, so an empty result always means nothing else arrived; so does any receive error
    /// other than the socket's own short timeout.
    public func incomingTags(until sentinels: Set<UInt64>, timeout: Double = 10) throws -> Set<UInt64> {
        precondition(!sentinels.isEmpty, "without a sentinel the tap cannot tell a complete read from a dead one")
        var tags = Set<UInt64>()
        var buffer = [UInt8](repeating: 0, count: 2048)
        var address = [UInt8](repeating: 0, count: 20)
        let deadline = Date().addingTimeInterval(timeout)
        while !sentinels.isSubset(of: tags) {
            var length = socklen_t(address.count)
            let received = buffer.withUnsafeMutableBytes { bytes in
                address.withUnsafeMutableBytes { raw in
                    recvfrom(fd, bytes.baseAddress, bytes.count, 0,
                             raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
                }
            }
            if received < 0 {
                let code = errno
                guard code == EAGAIN || code == EWOULDBLOCK || code == EINTR else {
                    throw SystemError("receive on the tap \(description)", errno: code)
                }
                if Date() > deadline {
                    let missing = sentinels.subtracting(tags).sorted()
                    throw QuietLink(description: "the tap on \(description) saw no sentinel \(missing) within "
                                    + "\(timeout) s; it saw \(tags.count) tagged frames")
                }
                continue
            }
            let outgoing = address[10] == Self.outgoing
            if !outgoing, let id = PacketTag.find(in: Array(buffer[0..<received])) { tags.insert(id) }
        }
        return tags
    }
}
