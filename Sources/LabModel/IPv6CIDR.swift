import Glibc

/// An IPv6 address with its prefix length, as given to an interface: "2001:2::1/64".
public struct IPv6CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The sixteen address bytes, network order.
    public let bytes: [UInt8]
    public let prefixLength: Int

    public init(bytes: [UInt8], prefixLength: Int) {
        precondition(bytes.count == 16, "an IPv6 address has 16 bytes, got \(bytes.count)")
        precondition((0...128).contains(prefixLength), "an IPv6 prefix length is 0...128, got \(prefixLength)")
        self.bytes = bytes
        self.prefixLength = prefixLength
    }

    /// Parses "x:x::x/n"; nil when it is not that. The corresponding C function is `inet_pton`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = Self.parseAddress(String(parts[0])),
              let length = Int(parts[1]), String(length) == parts[1], (0...128).contains(length) else { return nil }
        self.init(bytes: address, prefixLength: length)
    }

    /// Parses a bare IPv6 address. The corresponding C function is `inet_pton`.
    static func parseAddress(_ text: String) -> [UInt8]? {
        var raw = in6_addr()
        guard inet_pton(AF_INET6, text, &raw) == 1 else { return nil }
        return withUnsafeBytes(of: &raw) { Array($0) }
    }

    /// The address alone in RFC 5952 form: lower case, no leading zeros, the longest run of two or more
    /// zero groups (the first of equal runs) written as "::".
    public var address: String {
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...8 {
            if index < 8 && groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength { bestStart = runStart; bestLength = index - runStart }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestLength >= 2 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// Whether `other`'s address lies inside this subnet.
    public func contains(_ other: IPv6CIDR) -> Bool {
        var remaining = prefixLength
        for index in 0..<16 where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[index] & mask != other.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// The subnet this address lives in, with host bits cleared.
    public var network: IPv6CIDR {
        var result = bytes
        var remaining = prefixLength
        for index in 0..<16 {
            let bits = max(0, min(8, remaining))
            result[index] &= bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            remaining -= 8
        }
        return IPv6CIDR(bytes: result, prefixLength: prefixLength)
    }

    /// 2001:2::/48, the benchmarking range (RFC 5180) that lab hosts draw from.
    public static let labRange = IPv6CIDR(bytes: [0x20, 0x01, 0, 2] + Array(repeating: 0, count: 12), prefixLength: 48)
}
