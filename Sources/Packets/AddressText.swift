import Glibc

/// Text forms of link and network addresses, for flows, reports and lab files.
///
/// Built on `inet_ntop` / `inet_pton`, so IPv6 text follows RFC 5952 exactly as the tools print it.
public enum AddressText {
    /// "198.18.0.1" or "2001:2::1"; any other length prints as hex.
    public static func ip(_ bytes: [UInt8]) -> String {
        let family: Int32
        switch bytes.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return bytes.map { hex2($0) }.joined()
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &text, socklen_t(text.count)) != nil
        }
        return ok ? text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : bytes.map { hex2($0) }.joined()
    }

    /// "02:00:5e:10:00:01".
    public static func mac(_ bytes: [UInt8]) -> String {
        bytes.map { hex2($0) }.joined(separator: ":")
    }

    /// Four bytes from dotted-quad text (`inet_pton` with AF_INET).
    public static func ipv4(_ text: String) -> [UInt8]? { parse(text, family: AF_INET, count: 4) }

    /// Sixteen bytes from IPv6 text (`inet_pton` with AF_INET6).
    public static func ipv6(_ text: String) -> [UInt8]? { parse(text, family: AF_INET6, count: 16) }

    /// Six bytes from "aa:bb:cc:dd:ee:ff".
    public static func mac(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard part.count == 2, let byte = UInt8(part, radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    private static func parse(_ text: String, family: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBytes { raw in inet_pton(family, text, raw.baseAddress) == 1 }
        return ok ? bytes : nil
    }

    static func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
