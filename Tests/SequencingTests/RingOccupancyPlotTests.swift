import Foundation
import Testing
@testable import Sequencing
import TestSupport

@Suite struct RingOccupancyPlotTests {
    /// A stalled run of the buggy ring: the writer keeps advancing while occupancy sits at the ring size.
    static let samples: [RingSample] = (0..<40).map { i in
        let time = UInt64(5_000_000_000 + i * 250_000)
        let stalled = (10..<20).contains(i)
        let write = UInt64(100 + i * 20)
        let read = stalled ? UInt64(100 + 10 * 20) : UInt64(100 + i * 20 - (i >= 20 ? 0 : 4))
        let occupied = stalled ? min(64, Int(write - read)) : Int(write - read)
        return RingSample(time: time, writeIndex: write, readIndex: read, occupied: occupied, ringSize: 64, stalled: stalled)
    }

    static let plot = RingOccupancyPlot(title: "map_ring_overwrite <after> a \"stall\" & 'resume'", samples: samples,
                                        stalls: [StallWindow(start: 5_002_500_000, end: 5_005_000_000)])

    /// Compared with Snapshots/ring-occupancy.svg, a test resource. To accept a change after looking at the
    /// picture, run with XDPLAB_RECORD_SNAPSHOTS=1: the file in the source tree is rewritten.
    @Test func snapshot() throws {
        let svg = Self.plot.svg()
        if ProcessInfo.processInfo.environment["XDPLAB_RECORD_SNAPSHOTS"] == "1" {
            let source = RepositoryPaths.root.appendingPathComponent("Tests/SequencingTests/Snapshots/ring-occupancy.svg")
            try svg.write(to: source, atomically: true, encoding: .utf8)
            Issue.record("snapshot re-recorded; look at it, then run again without XDPLAB_RECORD_SNAPSHOTS")
            return
        }
        let url = try #require(Bundle.module.url(forResource: "ring-occupancy", withExtension: "svg", subdirectory: "Snapshots"))
        let recorded = try String(contentsOf: url, encoding: .utf8)
        #expect(svg == recorded, "the SVG differs from Snapshots/ring-occupancy.svg")
    }

    @Test func deterministicAndEscaped() {
        let svg = Self.plot.svg()
        #expect(svg == Self.plot.svg())
        #expect(svg.contains("map_ring_overwrite &lt;after&gt; a &quot;stall&quot; &amp; &apos;resume&apos;"))
        #expect(!svg.contains("<after>"))
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("ring of 64 slots, 40 samples, 1 stall"))
    }

    @Test func shadesOneRectanglePerPanelForEachStall() {
        let svg = Self.plot.svg()
        #expect(svg.components(separatedBy: "fill=\"#bdbdbd\" fill-opacity").count - 1 == 2)
        // The stall starts 2.5 ms into a 9.75 ms run: 80 + 856 × 2.5 / 9.75 px.
        #expect(svg.contains("<rect x=\"299.5\""))
    }

    @Test func emptyRunStillDraws() {
        let svg = RingOccupancyPlot(title: "nothing", samples: []).svg()
        #expect(svg.contains("no samples"))
        #expect(svg.hasSuffix("</svg>\n"))
    }

    @Test func longRunsAreThinned() {
        let many = (0..<100_000).map { RingSample(time: UInt64($0) * 1_000, writeIndex: UInt64($0), readIndex: UInt64($0),
                                                   occupied: $0 % 64, ringSize: 64) }
        let svg = RingOccupancyPlot(title: "long", samples: many).svg()
        #expect(svg.utf8.count < 400_000)
    }

    @Test func csvRoundTrips() throws {
        let text = RingSample.csv(Self.samples)
        #expect(text.hasPrefix("time_ns,write_index,read_index,occupied,ring_size,stalled\n5000000000,100,96,4,64,0\n"))
        #expect(try RingSample.parse(csv: text) == Self.samples)
        #expect(throws: RingSample.CSVError.self) { try RingSample.parse(csv: RingSample.csvHeader + "\n1,2,3\n") }
    }

    @Test func numberTextIsFixed() {
        #expect(DecimalText.fixed(2.345, digits: 1) == "2.3")
        #expect(DecimalText.fixed(-0.04, digits: 1) == "0.0")
        #expect(DecimalText.fixed(-1.25, digits: 2) == "-1.25")
        #expect(DecimalText.compact(80.0, digits: 1) == "80")
        #expect(DurationText.nanoseconds(Int64(830)) == "830 ns")
        #expect(DurationText.nanoseconds(Int64(1_250)) == "1.25 µs")
        #expect(DurationText.nanoseconds(Int64(-12_500_000)) == "-12.5 ms")
    }
}
