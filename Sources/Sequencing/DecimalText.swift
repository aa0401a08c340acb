/// Fixed-point number text that does not depend on the locale or on Foundation, so the same numbers
/// always give the same bytes (SVG snapshots, CSV files).
enum DecimalText {
    /// `value` rounded to `digits` decimals: fixed(2.345, 1) == "2.3", fixed(-0.04, 1) == "0.0".
    static func fixed(_ value: Double, digits: Int,
                      rounding: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded(rounding))
        let divisor = Int64(scale)
        let whole = scaled / divisor, fraction = scaled % divisor
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(whole) }
        let fractionText = String(fraction)
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }

    /// Like `fixed`, without trailing zeros: compact(2.50, 2) == "2.5", compact(3, 2) == "3".
    static func compact(_ value: Double, digits: Int,
                        rounding: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> String {
        var text = fixed(value, digits: digits, rounding: rounding)
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}

/// Durations for people: "830 ns", "1.25 µs", "12.5 ms", "3.2 s".
public enum DurationText {
    public static func nanoseconds(_ value: Int64) -> String {
        let magnitude = value.magnitude
        let sign = value < 0 ? "-" : ""
        switch magnitude {
        case ..<1_000: return "\(sign)\(magnitude) ns"
        case ..<1_000_000: return sign + DecimalText.compact(Double(magnitude) / 1e3, digits: 2) + " µs"
        case ..<1_000_000_000: return sign + DecimalText.compact(Double(magnitude) / 1e6, digits: 2) + " ms"
        default: return sign + DecimalText.compact(Double(magnitude) / 1e9, digits: 2) + " s"
        }
    }

    public static func nanoseconds(_ value: UInt64) -> String {
        nanoseconds(Int64(clamping: value))
    }

    /// Seconds for people, the one form reports, diagnoses and messages use: at most `digits` decimals, trailing
    /// zeros dropped (2 → "2s", 0.2134 → "0.21s", 11.6 → "11.6s"); with `fixed`, exactly `digits` decimals
    /// (1 → "1.000s"). `unit` follows the number ("s", or " s" on the report page).
    public static func seconds(_ value: Double, digits: Int = 2, fixed: Bool = false, unit: String = "s") -> String {
        // Half to even, as C's `%.Nf` rounds an exact tie (13.25 → "13.2"), which is what reports always showed.
        let text = fixed ? DecimalText.fixed(value, digits: digits, rounding: .toNearestOrEven)
                         : DecimalText.compact(value, digits: digits, rounding: .toNearestOrEven)
        return text + unit
    }
}
