/// The fields of an IPv4 header (RFC 791) that frames in a lab vary; the rest (version, length,
/// checksum) is computed when the header is encoded.
public struct IPv4Header: Sendable, Hashable {
    public var source: [UInt8]
    public var destination: [UInt8]
    public var ttl: UInt8
    public var identification: UInt16
    public var typeOfService: UInt8
    public var dontFragment: Bool
    public var moreFragments: Bool
    /// Where this fragment's data sits in the original datagram, in bytes; a multiple of 8.
    public var fragmentOffset: Int
    /// Raw option bytes (see `IPv4Option`); padded with End-of-Option-List zeros to a multiple of 4.
    public var options: [UInt8]

    public init(source: [UInt8], destination: [UInt8], ttl: UInt8 = 64, identification: UInt16 = 0,
                typeOfService: UInt8 = 0, dontFragment: Bool = false, moreFragments: Bool = false,
                fragmentOffset: Int = 0, options: [UInt8] = []) {
        precondition(source.count == 4 && destination.count == 4, "IPv4 addresses are 4 bytes")
        self.source = source
        self.destination = destination
        self.ttl = ttl
        self.identification = identification
        self.typeOfService = typeOfService
        self.dontFragment = dontFragment
        self.moreFragments = moreFragments
        self.fragmentOffset = fragmentOffset
        self.options = options
    }

    /// Header bytes, checksum included, for a payload of `payloadLength` bytes of protocol `proto`.
    public func encoded(protocol proto: UInt8, payloadLength: Int) -> [UInt8] {
        precondition(fragmentOffset % 8 == 0 && fragmentOffset < 8 * 8192, "fragment offset must be a multiple of 8 below 65536")
        var opts = options
        while opts.count % 4 != 0 { opts.append(0) }
        precondition(opts.count <= 40, "IPv4 options are at most 40 bytes")
        let headerLength = 20 + opts.count
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerLength)
        bytes.append(0x40 | UInt8(headerLength / 4))
        bytes.append(typeOfService)
        bytes.appendBE(UInt16(headerLength + payloadLength))
        bytes.appendBE(identification)
        var flagsAndOffset = UInt16(fragmentOffset / 8)
        if dontFragment { flagsAndOffset |= 0x4000 }
        if moreFragments { flagsAndOffset |= 0x2000 }
        bytes.appendBE(flagsAndOffset)
        bytes.append(ttl)
        bytes.append(proto)
        bytes.appendBE(UInt16(0))
        bytes += source
        bytes += destination
        bytes += opts
        bytes.storeBE(InternetChecksum.of(bytes), at: 10)
        return bytes
    }
}

/// Encoded IPv4 options to put in `IPv4Header.options`.
public enum IPv4Option {
    public static let endOfList: [UInt8] = [0]
    public static let noOperation: [UInt8] = [1]
    /// Router Alert (RFC 2113) with value 0, the form IGMP and RSVP use.
    public static let routerAlert: [UInt8] = [0x94, 4, 0, 0]

    /// An option of type 30 (RFC 4727, for experiments): receivers skip options they do not know.
    public static func experimental(_ data: [UInt8]) -> [UInt8] {
        [0x1E, UInt8(2 + data.count)] + data
    }
}
