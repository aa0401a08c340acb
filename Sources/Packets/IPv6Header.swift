/// The fields of an IPv6 header (RFC 8200) that frames in a lab vary, and its extension headers.
public struct IPv6Header: Sendable, Hashable {
    public var source: [UInt8]
    public var destination: [UInt8]
    public var hopLimit: UInt8
    public var trafficClass: UInt8
    public var flowLabel: UInt32
    /// In wire order; each one's next-header field is filled in when the packet is encoded.
    public var extensionHeaders: [IPv6ExtensionHeader]

    public init(source: [UInt8], destination: [UInt8], hopLimit: UInt8 = 64, trafficClass: UInt8 = 0,
                flowLabel: UInt32 = 0, extensionHeaders: [IPv6ExtensionHeader] = []) {
        precondition(source.count == 16 && destination.count == 16, "IPv6 addresses are 16 bytes")
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
        self.trafficClass = trafficClass
        self.flowLabel = flowLabel
        self.extensionHeaders = extensionHeaders
    }

    /// The fixed header followed by the extension headers, for an upper-layer segment of protocol
    /// `proto` and `payloadLength` bytes.
    public func encoded(protocol proto: UInt8, payloadLength: Int) -> [UInt8] {
        var chain: [UInt8] = []
        for (index, header) in extensionHeaders.enumerated() {
            let next = index + 1 < extensionHeaders.count ? extensionHeaders[index + 1].type : proto
            chain += header.encoded(nextHeader: next)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(40 + chain.count)
        bytes.appendBE(0x6000_0000 | UInt32(trafficClass) << 20 | (flowLabel & 0xF_FFFF))
        bytes.appendBE(UInt16(chain.count + payloadLength))
        bytes.append(extensionHeaders.first?.type ?? proto)
        bytes.append(hopLimit)
        bytes += source
        bytes += destination
        return bytes + chain
    }
}

/// One IPv6 extension header: its type (the value that names it in the previous next-header field)
/// and the bytes after its next-header and length octets.
public struct IPv6ExtensionHeader: Sendable, Hashable {
    public static let hopByHopType: UInt8 = 0
    public static let routingType: UInt8 = 43
    public static let fragmentType: UInt8 = 44
    public static let destinationOptionsType: UInt8 = 60

    public var type: UInt8
    /// Everything after the first two octets; 2 + count must be a multiple of 8.
    public var data: [UInt8]

    public init(type: UInt8, data: [UInt8]) {
        precondition((2 + data.count) % 8 == 0, "extension headers are a multiple of 8 bytes")
        self.type = type
        self.data = data
    }

    /// Hop-by-Hop Options with the given TLV options, padded with Pad1/PadN as RFC 8200 section 4.2 asks.
    public static func hopByHop(options: [UInt8] = []) -> IPv6ExtensionHeader {
        IPv6ExtensionHeader(type: hopByHopType, data: padded(options))
    }

    /// Destination Options with the given TLV options, padded likewise.
    public static func destinationOptions(options: [UInt8] = []) -> IPv6ExtensionHeader {
        IPv6ExtensionHeader(type: destinationOptionsType, data: padded(options))
    }

    /// A Fragment header (RFC 8200 section 4.5); `offset` in bytes, a multiple of 8.
    public static func fragment(offset: Int, more: Bool, identification: UInt32) -> IPv6ExtensionHeader {
        precondition(offset % 8 == 0, "fragment offsets are multiples of 8")
        var data: [UInt8] = []
        data.appendBE(UInt16(offset / 8) << 3 | (more ? 1 : 0))
        data.appendBE(identification)
        // The fragment header's second octet is reserved (zero), which is what `encoded` writes for 8 bytes.
        return IPv6ExtensionHeader(type: fragmentType, data: data)
    }

    func encoded(nextHeader: UInt8) -> [UInt8] {
        [nextHeader, UInt8((2 + data.count) / 8 - 1)] + data
    }

    static func padded(_ options: [UInt8]) -> [UInt8] {
        var data = options
        let missing = (8 - (2 + data.count) % 8) % 8
        if missing == 1 {
            data.append(0)                                      // Pad1
        } else if missing >= 2 {
            data += [1, UInt8(missing - 2)] + [UInt8](repeating: 0, count: missing - 2)  // PadN
        }
        return data
    }
}
