/// Durations as lab files write them: "250ms", "2s", "1.5s", "1m", or a bare number of seconds.
public enum LabDuration {
    /// Seconds, or nil when `text` is not a positive, finite duration in one of the accepted forms.
    public static func parse(_ text: String) -> Double? {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        var number = Substring(text)
        var scale = 1.0
        if let unit = units.first(where: { text.hasSuffix($0.suffix) }) {
            number = number.dropLast(unit.suffix.count)
            scale = unit.seconds
        }
        // Digits with at most one decimal point: no sign, exponent, "inf" or "nan".
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              number.filter({ $0 == "." }).count <= 1, number.contains(where: \.isNumber),
              let value = Double(number), value > 0 else { return nil }
        let seconds = value * scale
        return seconds.isFinite ? seconds : nil
    }

    /// The shortest lab-file form: 0.25 → "250ms", 2 → "2s", 1.5 → "1.5s", 120 → "2m".
    public static func format(_ seconds: Double) -> String {
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 {
            return plain(seconds / 60) + "m"
        }
        if seconds >= 1 || seconds == 0 { return plain(seconds) + "s" }
        return plain((seconds * 1000 * 1000).rounded() / 1000) + "ms"
    }

    /// "2" rather than "2.0".
    private static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
