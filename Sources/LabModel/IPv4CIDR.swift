import Glibc

/// An IPv4 address with its prefix length, as given to an interface: "198.18.0.1/24".
public struct IPv4CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The four address bytes, network order.
    public let bytes: [UInt8]
    public let prefixLength: Int

    public init(bytes: [UInt8], prefixLength: Int) {
        precondition(bytes.count == 4, "an IPv4 address has 4 bytes, got \(bytes.count)")
        precondition((0...32).contains(prefixLength), "an IPv4 prefix length is 0...32, got \(prefixLength)")
        self.bytes = bytes
        self.prefixLength = prefixLength
    }

    /// Parses "a.b.c.d/n"; nil when it is not exactly that. The corresponding C function is `inet_pton`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = Self.parseAddress(String(parts[0])),
              let length = Int(parts[1]), String(length) == parts[1], (0...32).contains(length) else { return nil }
        self.init(bytes: address, prefixLength: length)
    }

    /// Parses a bare dotted-quad address. The corresponding C function is `inet_pton`.
    static func parseAddress(_ text: String) -> [UInt8]? {
        var raw = in_addr()
        guard inet_pton(AF_INET, text, &raw) == 1 else { return nil }
        return withUnsafeBytes(of: &raw) { Array($0) }
    }

    /// The address alone: "198.18.0.1".
    public var address: String { bytes.map(String.init).joined(separator: ".") }

    public var description: String { "\(address)/\(prefixLength)" }

    /// The address as one number, for subnet arithmetic.
    var value: UInt32 { bytes.reduce(0) { $0 << 8 | UInt32($1) } }

    init(value: UInt32, prefixLength: Int) {
        self.init(bytes: (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32($0))) },
                  prefixLength: prefixLength)
    }

    var mask: UInt32 { prefixLength == 0 ? 0 : UInt32.max << (32 - UInt32(prefixLength)) }

    /// The subnet this address lives in, with host bits cleared.
    public var network: IPv4CIDR { IPv4CIDR(value: value & mask, prefixLength: prefixLength) }

    /// Whether `other`'s address lies inside this subnet.
    public func contains(_ other: IPv4CIDR) -> Bool { other.value & mask == value & mask }

    /// 198.18.0.0/15, the benchmarking range (RFC 2544) that lab hosts draw from.
    public static let labRange = IPv4CIDR(bytes: [198, 18, 0, 0], prefixLength: 15)
}
