/// Text and numbers inside SVG markup.
public enum SVGText {
    /// Escapes the five characters XML gives meaning to, for text content and attribute values alike.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A coordinate, to a tenth of a pixel.
    public static func number(_ value: Double) -> String { DecimalText.compact(value, digits: 1) }

    /// A readable step for about `target` ticks over `span`: 1, 2 or 5 times a power of ten.
    public static func niceStep(span: Double, target: Int) -> Double {
        guard span > 0, target > 0 else { return 1 }
        let raw = span / Double(target)
        var power = 1.0
        while power * 10 <= raw { power *= 10 }
        while power > raw { power /= 10 }
        for factor in [1.0, 2.0, 5.0, 10.0] where power * factor >= raw { return power * factor }
        return power * 10
    }

    /// Tick values from the first multiple of `step` at or above `low` up to `high`.
    public static func ticks(low: Double, high: Double, step: Double) -> [Double] {
        var value = (low / step).rounded(.up) * step
        var result: [Double] = []
        while value <= high + step * 1e-9 && result.count < 100 {
            result.append(value)
            value += step
        }
        return result
    }
}
