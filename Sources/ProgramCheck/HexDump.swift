import Foundation
/// Frames as hex, for violation reports.
public enum HexDump {
    /// "0000  02 00 5e 10 00 01 02 00  5e 10 00 02 08 00 45 00  ..^.....^.....E." lines, at most `limit`
    /// bytes; a longer frame ends with a line saying how much was left out.
    public static func lines(_ bytes: [UInt8], limit: Int = Int.max) -> [String] {
        var lines: [String] = []
        let shown = min(bytes.count, limit)
        var offset = 0
        while offset < shown {
            let row = bytes[offset..<min(offset + 16, shown)]
            var hex = ""
            for (index, byte) in row.enumerated() {
                if index == 8 { hex += " " }
                hex += hex2(byte) + " "
            }
            hex = hex.padding(toLength: 16 * 3 + 1, withPad: " ", startingAt: 0)
            let text = String(row.map { (0x20...0x7E).contains($0) ? Character(Unicode.Scalar($0)) : "." })
            lines.append(hex4(offset) + "  " + hex + " " + text)
            offset += 16
        }
        if shown < bytes.count { lines.append("…     \(bytes.count - shown) more bytes") }
        return lines
    }

    /// All bytes as one lowercase hex string, for JSON.
    public static func compact(_ bytes: [UInt8]) -> String { bytes.map(hex2).joined() }

    static func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    static func hex4(_ value: Int) -> String { hex2(UInt8((value >> 8) & 0xFF)) + hex2(UInt8(value & 0xFF)) }
}
