/// A picture of a map ring during a run, as a standalone SVG file: slot occupancy on top, the write and
/// read indexes below, stall windows shaded in both. The same input always gives the same bytes.
///
/// The overwrite bug shows as the write index running away from the read index during a stall while
/// occupancy stays pinned at the ring size; the fixed ring's write index stops instead.
public struct RingOccupancyPlot: Sendable {
    public var title: String
    public var samples: [RingSample]
    /// Stall windows in the samples' clock (CLOCK_MONOTONIC nanoseconds).
    public var stalls: [StallWindow]
    public var width: Int
    public var height: Int

    public init(title: String, samples: [RingSample], stalls: [StallWindow] = [], width: Int = 960, height: Int = 560) {
        self.title = title
        self.samples = samples.sorted { $0.time < $1.time }
        self.stalls = stalls
        self.width = max(width, 320)
        self.height = max(height, 240)
    }

    /// The plotting area of one panel, in pixels.
    struct Panel {
        let left: Double, top: Double, width: Double, height: Double
        var right: Double { left + width }
        var bottom: Double { top + height }
    }

    static let occupancyColor = "#1f77b4", writeColor = "#d62728", readColor = "#2ca02c", stallColor = "#bdbdbd"

    /// The two panels and the time scale both share.
    struct Layout {
        let occupancy: Panel, index: Panel
        /// The first sample's time, and the time the panels' width spans (nanoseconds).
        let start: UInt64, span: Double

        func x(_ time: UInt64) -> Double {
            occupancy.left + occupancy.width * Double(time >= start ? time - start : 0) / span
        }
    }

    public func svg() -> String {
        let w = Double(width), h = Double(height)
        let plotWidth = w - 80 - 24
        let panelHeight = (h - 56 - 70 - 36) / 2
        let occupancyPanel = Panel(left: 80, top: 56, width: plotWidth, height: panelHeight)
        let indexPanel = Panel(left: 80, top: 56 + panelHeight + 36, width: plotWidth, height: panelHeight)

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<title>\(SVGText.escape(title))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        out += text(SVGText.escape(title), x: 80, y: 22, size: 16, weight: "bold")
        out += text(SVGText.escape(subtitle), x: 80, y: 40, fill: "#555555")

        guard let first = samples.first, let last = samples.last else {
            out += frame(occupancyPanel) + frame(indexPanel)
            out += text("no samples", x: occupancyPanel.left + plotWidth / 2, y: occupancyPanel.top + panelHeight / 2,
                        anchor: "middle", fill: "#555555")
            return out + "</svg>\n"
        }
        // At least 1 ms, so one sample still has an axis.
        let layout = Layout(occupancy: occupancyPanel, index: indexPanel, start: first.time,
                            span: Double(max(last.time - first.time, 1_000_000)))
        let shown = Self.decimate(samples, columns: Int(plotWidth), x: layout.x)
        out += stallShading(layout)
        out += occupancyCurve(shown, layout)
        out += indexLines(shown, layout)
        out += legend(y: h - 14)
        return out + "</svg>\n"
    }

    /// Stall windows, clipped to the sampled time, shaded in both panels.
    private func stallShading(_ layout: Layout) -> String {
        var out = ""
        for window in stalls {
            let from = max(window.start, layout.start), to = min(window.end, layout.start + UInt64(layout.span))
            guard from < to else { continue }
            for panel in [layout.occupancy, layout.index] {
                out += "<rect x=\"\(SVGText.number(layout.x(from)))\" y=\"\(SVGText.number(panel.top))\" "
                    + "width=\"\(SVGText.number(max(layout.x(to) - layout.x(from), 1)))\" height=\"\(SVGText.number(panel.height))\" "
                    + "fill=\"\(Self.stallColor)\" fill-opacity=\"0.45\"/>\n"
            }
        }
        return out
    }

    /// Occupancy: an area under the curve, and the ring size as a dashed ceiling.
    private func occupancyCurve(_ shown: [RingSample], _ layout: Layout) -> String {
        let panel = layout.occupancy
        let ringSize = Double(max(samples.map(\.ringSize).max() ?? 1, 1))
        let occupancyY = { (value: Int) -> Double in
            panel.bottom - panel.height * min(Double(value), ringSize) / ringSize
        }
        var out = timeAxis(panel, span: layout.span, labels: false)
        out += valueAxis(panel, low: 0, high: ringSize, label: "occupied slots") { occupancyY(Int($0)) }
        out += "<line x1=\"\(SVGText.number(panel.left))\" y1=\"\(SVGText.number(panel.top))\" "
            + "x2=\"\(SVGText.number(panel.right))\" y2=\"\(SVGText.number(panel.top))\" "
            + "stroke=\"#555555\" stroke-dasharray=\"6 4\"/>\n"
        let occupancyPoints = shown.map { "\(SVGText.number(layout.x($0.time))),\(SVGText.number(occupancyY($0.occupied)))" }
        out += "<path d=\"M\(SVGText.number(layout.x(shown[0].time))),\(SVGText.number(panel.bottom)) L"
            + occupancyPoints.joined(separator: " L") + " L\(SVGText.number(layout.x(shown[shown.count - 1].time))),"
            + "\(SVGText.number(panel.bottom)) Z\" fill=\"\(Self.occupancyColor)\" fill-opacity=\"0.25\" "
            + "stroke=\"\(Self.occupancyColor)\" stroke-width=\"1.5\"/>\n"
        return out
    }

    /// The write and read indexes, on their own scale: they grow for the whole run.
    private func indexLines(_ shown: [RingSample], _ layout: Layout) -> String {
        let panel = layout.index
        let lowIndex = Double(samples.map { min($0.readIndex, $0.writeIndex) }.min()!)
        var highIndex = Double(samples.map { max($0.readIndex, $0.writeIndex) }.max()!)
        if highIndex <= lowIndex { highIndex = lowIndex + 1 }
        let indexY = { (value: Double) -> Double in
            panel.bottom - panel.height * (value - lowIndex) / (highIndex - lowIndex)
        }
        var out = timeAxis(panel, span: layout.span, labels: true)
        out += valueAxis(panel, low: lowIndex, high: highIndex, label: "index", transform: indexY)
        for (color, value) in [(Self.writeColor, \RingSample.writeIndex), (Self.readColor, \RingSample.readIndex)] {
            let points = shown.map { "\(SVGText.number(layout.x($0.time))),\(SVGText.number(indexY(Double($0[keyPath: value]))))" }
            out += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
        }
        return out
    }

    var subtitle: String {
        let size = samples.map(\.ringSize).max() ?? 0
        let stallText = stalls.count == 1 ? "1 stall" : "\(stalls.count) stalls"
        return "ring of \(size) slots, \(samples.count) samples, \(stallText)"
    }

    /// At most a few samples per pixel column (the first, last, emptiest and fullest), so long runs stay small.
    static func decimate(_ samples: [RingSample], columns: Int, x: (UInt64) -> Double) -> [RingSample] {
        guard samples.count > 4 * max(columns, 1) else { return samples }
        var result: [RingSample] = []
        var index = 0
        while index < samples.count {
            let column = Int(x(samples[index].time))
            var end = index
            while end + 1 < samples.count && Int(x(samples[end + 1].time)) == column { end += 1 }
            let bucket = samples[index...end]
            let low = bucket.indices.min { samples[$0].occupied < samples[$1].occupied }!
            let high = bucket.indices.max { samples[$0].occupied < samples[$1].occupied }!
            for keep in Set([index, low, high, end]).sorted() { result.append(samples[keep]) }
            index = end + 1
        }
        return result
    }

    func frame(_ panel: Panel) -> String {
        "<rect x=\"\(SVGText.number(panel.left))\" y=\"\(SVGText.number(panel.top))\" width=\"\(SVGText.number(panel.width))\" "
            + "height=\"\(SVGText.number(panel.height))\" fill=\"none\" stroke=\"#333333\"/>\n"
    }

    /// The frame, vertical grid lines at readable times and, on the lower panel, their labels in ms.
    func timeAxis(_ panel: Panel, span: Double, labels: Bool) -> String {
        var out = ""
        let spanMilliseconds = span / 1e6
        let step = SVGText.niceStep(span: spanMilliseconds, target: 8)
        for tick in SVGText.ticks(low: 0, high: spanMilliseconds, step: step) {
            let x = panel.left + panel.width * tick / spanMilliseconds
            out += "<line x1=\"\(SVGText.number(x))\" y1=\"\(SVGText.number(panel.top))\" x2=\"\(SVGText.number(x))\" "
                + "y2=\"\(SVGText.number(panel.bottom))\" stroke=\"#e5e5e5\"/>\n"
            if labels {
                out += text(DecimalText.compact(tick, digits: 3), x: x, y: panel.bottom + 16, anchor: "middle")
            }
        }
        if labels { out += text("time since first sample (ms)", x: panel.left + panel.width / 2, y: panel.bottom + 34, anchor: "middle") }
        return out + frame(panel)
    }

    /// Horizontal grid lines with value labels left of the panel, and the axis name rotated beside them.
    func valueAxis(_ panel: Panel, low: Double, high: Double, label: String, transform: (Double) -> Double) -> String {
        var out = ""
        let step = max(SVGText.niceStep(span: high - low, target: 4), 1)
        for tick in SVGText.ticks(low: low, high: high, step: step) {
            let y = transform(tick)
            out += "<line x1=\"\(SVGText.number(panel.left))\" y1=\"\(SVGText.number(y))\" x2=\"\(SVGText.number(panel.right))\" "
                + "y2=\"\(SVGText.number(y))\" stroke=\"#e5e5e5\"/>\n"
            out += text(DecimalText.fixed(tick, digits: 0), x: panel.left - 6, y: y + 4, anchor: "end")
        }
        let middle = panel.top + panel.height / 2
        out += "<text x=\"18\" y=\"\(SVGText.number(middle))\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 18 \(SVGText.number(middle)))\">\(SVGText.escape(label))</text>\n"
        return out
    }

    func legend(y: Double) -> String {
        let items = [(Self.occupancyColor, "occupied slots"), (Self.writeColor, "write index (XDP)"),
                     (Self.readColor, "read index (poller)"), (Self.stallColor, "consumer stalled")]
        var out = ""
        var x = 80.0
        for (color, name) in items {
            out += "<rect x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y - 9))\" width=\"14\" height=\"10\" fill=\"\(color)\"/>\n"
            out += text(name, x: x + 20, y: y)
            x += 190
        }
        return out
    }

    func text(_ escaped: String, x: Double, y: Double, size: Int? = nil, weight: String? = nil,
              anchor: String? = nil, fill: String? = nil) -> String {
        var attributes = "x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y))\""
        if let size { attributes += " font-size=\"\(size)\"" }
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let anchor { attributes += " text-anchor=\"\(anchor)\"" }
        if let fill { attributes += " fill=\"\(fill)\"" }
        return "<text \(attributes)>\(escaped)</text>\n"
    }
}
