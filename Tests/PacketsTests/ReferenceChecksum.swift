/// An independent Internet checksum for the tests: whole-buffer, Int arithmetic, folded once at the
/// end, with pseudo-headers written out byte by byte. Shares no code with `InternetChecksum`.
enum Reference {
    static func sum(_ bytes: [UInt8]) -> Int {
        var total = 0
        var index = 0
        while index < bytes.count {
            total += Int(bytes[index]) << 8 + (index + 1 < bytes.count ? Int(bytes[index + 1]) : 0)
            index += 2
        }
        while total > 0xFFFF { total = (total & 0xFFFF) + (total >> 16) }
        return total
    }

    static func checksum(_ bytes: [UInt8]) -> UInt16 { UInt16(0xFFFF - sum(bytes)) }

    /// True when a buffer whose checksum field is filled in sums to all ones.
    static func verifies(_ bytes: [UInt8]) -> Bool { sum(bytes) == 0xFFFF }

    static func pseudoV4(source: ArraySlice<UInt8>, destination: ArraySlice<UInt8>, proto: UInt8, length: Int) -> [UInt8] {
        Array(source) + Array(destination) + [0, proto, UInt8(length >> 8), UInt8(length & 0xFF)]
    }

    static func pseudoV6(source: ArraySlice<UInt8>, destination: ArraySlice<UInt8>, nextHeader: UInt8, length: Int) -> [UInt8] {
        Array(source) + Array(destination)
            + [UInt8(length >> 24 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF),
               0, 0, 0, nextHeader]
    }
}

/// Addresses the tests build with: the benchmarking ranges the labs use.
enum TestAddresses {
    static let senderMAC: [UInt8] = [0x02, 0x00, 0x5E, 0x00, 0x00, 0x02]
    static let receiverMAC: [UInt8] = [0x02, 0x00, 0x5E, 0x00, 0x00, 0x01]
    static let senderV4: [UInt8] = [198, 18, 0, 2]
    static let receiverV4: [UInt8] = [198, 18, 0, 1]
    static let senderV6: [UInt8] = [0x20, 0x01, 0, 2] + [UInt8](repeating: 0, count: 11) + [2]
    static let receiverV6: [UInt8] = [0x20, 0x01, 0, 2] + [UInt8](repeating: 0, count: 11) + [1]
}
