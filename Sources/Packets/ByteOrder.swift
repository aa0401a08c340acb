/// Big-endian (network order) reads and writes on byte arrays, shared by the builders and the parser.
extension Array where Element == UInt8 {
    mutating func appendBE(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendBE(_ value: UInt32) {
        appendBE(UInt16(value >> 16))
        appendBE(UInt16(truncatingIfNeeded: value))
    }

    mutating func storeBE(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(value >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    func loadBE16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    func loadBE32(at offset: Int) -> UInt32 {
        UInt32(loadBE16(at: offset)) << 16 | UInt32(loadBE16(at: offset + 2))
    }
}
