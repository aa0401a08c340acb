import Foundation
import Evidence
import Verification
import Sequencing
import TextOutput

/// The SSH-like sessions as a timeline in inline SVG: one row per session (its RX queue), a tick for every answer,
/// red bands where no answer came for longer than the lab's `max-stall`, a marker where the session stalled and
/// its failure written at its end.
enum HTMLSessionTimeline {
    static let width = 960.0, labelWidth = 170.0, rightMargin = 24.0, rowHeight = 46.0, top = 30.0

    static func section(_ sessions: [SessionRecord]) -> String {
        let rows = sessions.sorted { $0.queue < $1.queue }
        let end = max(0.5, rows.map(lastTime).max() ?? 0.5)
        let height = top + Double(rows.count) * rowHeight + 8
        let step = SVGText.niceStep(span: end, target: 8)
        var svg = "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
            + "width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"SSH sessions over time\">"
        for tick in SVGText.ticks(low: 0, high: end, step: step) {
            let x = position(tick, end)
            svg += "<line class=\"gridline\" x1=\"\(n(x))\" y1=\"\(n(top - 6))\" x2=\"\(n(x))\" y2=\"\(n(height - 8))\"/>"
            svg += "<text class=\"axis\" x=\"\(n(x))\" y=\"\(n(top - 12))\" text-anchor=\"middle\">\(esc(DurationText.seconds(tick)))</text>"
        }
        for (index, session) in rows.enumerated() {
            svg += row(session, y: top + Double(index) * rowHeight + rowHeight / 2, end: end)
        }
        svg += "</svg>"
        let limits = Set(rows.compactMap(\.maxStall))
        let limit = limits.count == 1 ? " Red: no answer for longer than the lab's max-stall of \(DurationText.seconds(limits.first!))." : ""
        let lead = "<p class=\"lead\">One session per RX queue, one exchange per interval; each tick is an answer.\(esc(limit))</p>"
        return HTMLReport.section("sessions", "SSH sessions", lead + "<div class=\"grid-scroll\">\(svg)</div>")
    }

    /// A session did not survive: it stopped short, broke, or paused longer than its limit.
    static func brokeDown(_ session: SessionRecord) -> Bool {
        session.exchangesCompleted < session.exchangesPlanned || session.failure != nil
            || session.maxStall.map { session.longestStall > $0 } ?? false
    }

    private static func row(_ session: SessionRecord, y: Double, end: Double) -> String {
        let broken = brokeDown(session)
        let start = session.startedAt ?? 0
        let stop = lastTime(session)
        var svg = "<g class=\"session\(broken ? " broken" : "")\" data-queue=\"\(session.queue)\">"
        svg += "<title>\(esc("queue \(session.queue), \(session.flow): \(session.exchangesCompleted) of \(session.exchangesPlanned) exchanges"))</title>"
        svg += "<text class=\"label\" x=\"8\" y=\"\(n(y - 4))\">\(broken ? "✗" : "✓") queue \(session.queue)</text>"
        svg += "<text class=\"sub\" x=\"8\" y=\"\(n(y + 12))\">\(session.exchangesCompleted) of \(session.exchangesPlanned) answered</text>"
        svg += "<line class=\"span\" x1=\"\(n(position(start, end)))\" y1=\"\(n(y))\" x2=\"\(n(position(stop, end)))\" y2=\"\(n(y))\"/>"
        // Pauses longer than the limit, between progress points: the start, each answer, and the end of a session
        // that did not finish.
        if let limit = session.maxStall {
            var points = [start] + session.answeredAt
            if session.exchangesCompleted < session.exchangesPlanned, let ended = session.endedAt { points.append(ended) }
            for (from, to) in zip(points, points.dropFirst()) where to - from > limit {
                let x1 = position(from, end), x2 = position(to, end)
                svg += "<rect class=\"stall\" x=\"\(n(x1))\" y=\"\(n(y - 9))\" width=\"\(n(max(x2 - x1, 2)))\" height=\"18\">"
                    + "<title>\(esc("no answer from \(DurationText.seconds(from)) to \(DurationText.seconds(to))"))</title></rect>"
                svg += "<text class=\"stall-label\" x=\"\(n((x1 + x2) / 2))\" y=\"\(n(y + 4))\" text-anchor=\"middle\">"
                    + "\(esc("stall \(DurationText.seconds(to - from))"))</text>"
            }
        }
        for answer in session.answeredAt {
            let x = position(answer, end)
            svg += "<line class=\"answer\" x1=\"\(n(x))\" y1=\"\(n(y - 6))\" x2=\"\(n(x))\" y2=\"\(n(y + 6))\"/>"
        }
        if let stalledAt = session.stalledAt {
            let x = position(stalledAt, end)
            svg += "<path class=\"stalled\" d=\"M\(n(x)) \(n(y - 10)) l-5 -8 h10 z\"><title>\(esc("stalled at \(DurationText.seconds(stalledAt))"))</title></path>"
        }
        if let failure = session.failure {
            svg += "<text class=\"failure\" x=\"\(n(position(stop, end)))\" y=\"\(n(y + 20))\" text-anchor=\"end\">"
                + "\(esc("ended: \(failure)"))</text>"
        }
        return svg + "</g>"
    }

    /// The last moment the record speaks of.
    private static func lastTime(_ session: SessionRecord) -> Double {
        [session.endedAt, session.answeredAt.last, session.stalledAt, session.startedAt].compactMap { $0 }.max() ?? 0
    }

    private static func position(_ seconds: Double, _ end: Double) -> Double {
        labelWidth + max(0, min(seconds, end)) / end * (width - labelWidth - rightMargin)
    }

    private static func n(_ value: Double) -> String { SVGText.number(value) }
    /// Also drops the control characters XML cannot carry: flows and failures came from outside.
    private static func esc(_ text: String) -> String { XMLText.text(text) }
}
