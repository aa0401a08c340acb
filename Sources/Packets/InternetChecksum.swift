/// The one's-complement sum of RFC 1071, used by IPv4 headers, UDP, TCP, ICMP and ICMPv6.
///
/// Pieces may be added in any number of calls; an odd-length piece is padded with a zero byte, so
/// callers add the pseudo-header first and the (possibly odd) segment last.
public struct InternetChecksum: Sendable {
    private var sum: UInt32 = 0

    public init() {}

    public mutating func add<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        var high = true
        var word: UInt32 = 0
        for byte in bytes {
            if high { word = UInt32(byte) << 8 } else { sum &+= word | UInt32(byte) }
            high.toggle()
        }
        if !high { sum &+= word }
        fold()
    }

    public mutating func add(_ value: UInt16) {
        sum &+= UInt32(value)
        fold()
    }

    public mutating func add(_ value: UInt32) {
        add(UInt16(value >> 16))
        add(UInt16(truncatingIfNeeded: value))
    }

    /// The value to store in the checksum field: the complement of the folded sum.
    public var value: UInt16 { ~UInt16(truncatingIfNeeded: sum) }

    /// True when the covered bytes already include a correct checksum field (the sum is all ones).
    public var verifies: Bool { UInt16(truncatingIfNeeded: sum) == 0xFFFF }

    private mutating func fold() {
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    }

    /// The checksum of one buffer.
    public static func of<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
        var checksum = InternetChecksum()
        checksum.add(bytes)
        return checksum.value
    }

    /// The IPv4 pseudo-header of RFC 768 / RFC 793: addresses, zero, protocol, upper-layer length.
    public static func pseudoHeaderV4(source: [UInt8], destination: [UInt8], protocol proto: UInt8,
                                      length: Int) -> InternetChecksum {
        var checksum = InternetChecksum()
        checksum.add(source)
        checksum.add(destination)
        checksum.add(UInt16(proto))
        checksum.add(UInt16(truncatingIfNeeded: length))
        return checksum
    }

    /// The IPv6 pseudo-header of RFC 8200 section 8.1: addresses, 32-bit length, next header.
    public static func pseudoHeaderV6(source: [UInt8], destination: [UInt8], nextHeader: UInt8,
                                      length: Int) -> InternetChecksum {
        var checksum = InternetChecksum()
        checksum.add(source)
        checksum.add(destination)
        checksum.add(UInt32(truncatingIfNeeded: length))
        checksum.add(UInt16(nextHeader))
        return checksum
    }
}
