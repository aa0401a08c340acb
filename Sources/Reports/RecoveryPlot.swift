import Foundation
import Evidence
import Sequencing
import Verification

/// `recovery.svg`: one timeline per SSH session (each completed exchange a tick, each stall a bar), the break, the
/// watchdog's action and each session's return, so a reviewer sees the lockout at a glance.
public enum RecoveryPlot {
    static let left = 90.0, right = 30.0, top = 56.0, row = 34.0, width = 960.0

    public static func svg(_ summary: RecoverySummary, sessions: [SessionRecord], maxStall: Double, title: String) -> String {
        let drill = summary.drill
        let ends = sessions.flatMap(\.answeredAt) + [drill.breakAt + drill.restoreWithin]
            + drill.interfaceChanges.map(\.at)
        let span = max(1, (ends.max() ?? 1) * 1.04)
        let plotWidth = width - left - right
        func x(_ seconds: Double) -> Double { left + max(0, min(seconds, span)) / span * plotWidth }
        let height = top + row * Double(max(sessions.count, 1)) + 70
        var parts: [String] = []
        parts.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
                     + "font-family=\"sans-serif\" font-size=\"12\">")
        parts.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>")
        parts.append(text(left, 20, "\(title): SSH sessions through a recovery drill", size: 14, weight: "bold"))
        let plotBottom = top + row * Double(sessions.count)
        // The window SSH had to come back within.
        parts.append(rect(x(drill.breakAt), top - 8, x(drill.breakAt + drill.restoreWithin) - x(drill.breakAt),
                          plotBottom - top + 8, fill: "#f3f6ff"))
        for (index, session) in sessions.sorted(by: { $0.queue < $1.queue }).enumerated() {
            let y = top + row * Double(index) + row / 2
            parts.append(text(8, y + 4, "queue \(session.queue)"))
            parts.append(line(x(0), y, x(span), y, stroke: "#ddd"))
            let times = session.answeredAt.sorted()
            var previous = 0.0
            for time in times {
                if time - previous > maxStall {
                    parts.append(rect(x(previous), y - 7, x(time) - x(previous), 14, fill: "#e5484d", opacity: 0.75))
                }
                parts.append(line(x(time), y - 6, x(time), y + 6, stroke: "#2f6f3e"))
                previous = time
            }
            if let lockout = summary.lockouts.first(where: { $0.queue == session.queue }), lockout.neverBack {
                parts.append(rect(x(previous), y - 7, x(span) - x(previous), 14, fill: "#e5484d", opacity: 0.75))
            }
            if let back = summary.lockouts.first(where: { $0.queue == session.queue })?.backAt {
                parts.append("<circle cx=\"\(SVGText.number(x(back)))\" cy=\"\(SVGText.number(y))\" r=\"4\" fill=\"#2f9e44\"/>")
            }
        }
        parts.append(marker(x(drill.breakAt), top - 14, plotBottom, color: "#c92a2a", label: "break \(DurationText.seconds(drill.breakAt, digits: 1))"))
        if let action = drill.firstActionAfterBreak {
            parts.append(marker(x(action.at), top - 28, plotBottom, color: "#e67700",
                                label: action.program == "none" ? "XDP taken off at \(DurationText.seconds(action.at, digits: 1))"
                                                                : "\(action.program) attached at \(DurationText.seconds(action.at, digits: 1))"))
        }
        let step = SVGText.niceStep(span: span, target: 10)
        for tick in SVGText.ticks(low: 0, high: span, step: step) {
            parts.append(line(x(tick), plotBottom, x(tick), plotBottom + 5, stroke: "#555"))
            parts.append(text(x(tick) - 8, plotBottom + 18, DurationText.seconds(tick, digits: 1)))
        }
        parts.append(text(left, plotBottom + 40, "ticks: exchanges · red: stalls longer than \(DurationText.seconds(maxStall, digits: 1)) · green dot: "
                          + "SSH back · blue band: restore-within \(DurationText.seconds(drill.restoreWithin, digits: 1))", size: 11, fill: "#555"))
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    private static func text(_ x: Double, _ y: Double, _ content: String, size: Int = 12, weight: String = "normal",
                             fill: String = "#222") -> String {
        "<text x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y))\" font-size=\"\(size)\" font-weight=\"\(weight)\" "
            + "fill=\"\(fill)\">\(SVGText.escape(content))</text>"
    }

    private static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String) -> String {
        "<line x1=\"\(SVGText.number(x1))\" y1=\"\(SVGText.number(y1))\" x2=\"\(SVGText.number(x2))\" "
            + "y2=\"\(SVGText.number(y2))\" stroke=\"\(stroke)\"/>"
    }

    private static func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: String,
                             opacity: Double = 1) -> String {
        "<rect x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y))\" width=\"\(SVGText.number(max(width, 1)))\" "
            + "height=\"\(SVGText.number(height))\" fill=\"\(fill)\" fill-opacity=\"\(opacity)\"/>"
    }

    private static func marker(_ x: Double, _ labelY: Double, _ bottom: Double, color: String, label: String) -> String {
        line(x, labelY + 4, x, bottom, stroke: color) + "\n" + text(x + 3, labelY, label, size: 11, fill: color)
    }
}
