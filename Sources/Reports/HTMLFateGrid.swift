import Sequencing
import Verification
import Foundation

/// The page's grid: one row per traffic class, one column per RX queue, each cell coloured by where its packets
/// went (kernel, socket, lost) with the counts, and a red frame and ✗ where packets did not go where they had to.
/// Cells carry `data-class`, `data-queue` and `data-misplaced`, so a test (or a reader's browser) can find them.
enum HTMLFateGrid {
    static func section(_ grid: FateGrid) -> String {
        let esc = HTMLReport.esc, attr = HTMLReport.attr
        let queues = Array(0..<max(grid.queueCount, (grid.cells.map(\.queue).max() ?? -1) + 1))
        let wrongQueues = Set(grid.cells.filter { $0.misplaced > 0 }.map(\.queue))
        let wrongClasses = Set(grid.cells.filter { $0.misplaced > 0 }.map(\.trafficClass))

        var head = "<tr><th class=\"corner\">class \\ RX queue</th>"
        for queue in queues {
            let socket = grid.socketQueues.contains(queue)
            var state = socket ? "socket" : "no socket"
            if socket, let at = grid.socketsRegisteredAt { state = "socket from \(DurationText.seconds(at))" }
            head += "<th class=\"queue \(socket ? "has-socket" : "no-socket")\(wrongQueues.contains(queue) ? " wrong" : "")\" "
                + "data-queue=\"\(queue)\">queue \(queue)<small>\(esc(state))</small></th>"
        }
        head += "</tr>"

        var rows: [String] = []
        for trafficClass in grid.classes {
            let cells = grid.cells.filter { $0.trafficClass == trafficClass }
            let matching = cells.reduce(0) { $0 + $1.matching }, injected = cells.reduce(0) { $0 + $1.injected }
            let role = matching == 0 ? "for the kernel" : matching == injected ? "the stack's to claim" : "partly the stack's"
            var row = "<tr><th class=\"class\(wrongClasses.contains(trafficClass) ? " wrong" : "")\" scope=\"row\">"
                + "\(esc(trafficClass))<small>\(role)</small></th>"
            for queue in queues {
                if let cell = cells.first(where: { $0.queue == queue }) {
                    row += self.cell(cell, socket: grid.socketQueues.contains(queue))
                } else {
                    row += "<td class=\"cell none\" data-class=\"\(attr(trafficClass))\" data-queue=\"\(queue)\">–</td>"
                }
            }
            rows.append(row + "</tr>")
        }
        let legend = """
            <p class="legend"><span class="swatch f-kernel"></span>reached the kernel
            <span class="swatch f-xsk"></span>reached the AF_XDP socket
            <span class="swatch f-lost"></span>lost (no one saw it)
            <span class="swatch f-both"></span>both (impossible for one verdict)
            <span class="swatch wrong"></span>not where it had to go</p>
            """
        return HTMLReport.section("grid", "Where every packet went", """
            \(summary(grid))
            <div class="grid-scroll"><table class="grid"><thead>\(head)</thead><tbody>
            \(rows.joined(separator: "\n"))
            </tbody></table></div>
            \(legend)
            """)
    }

    /// One sentence per class with wrong cells, or one saying all is well.
    private static func summary(_ grid: FateGrid) -> String {
        let wrong = grid.cells.filter { $0.misplaced > 0 }
        guard !wrong.isEmpty else {
            return "<p class=\"lead good\">Every judged packet went where it had to, on every queue.</p>"
        }
        let lines = grid.classes.compactMap { trafficClass -> String? in
            let cells = wrong.filter { $0.trafficClass == trafficClass }
            guard !cells.isEmpty else { return nil }
            let misplaced = cells.reduce(0) { $0 + $1.misplaced }
            let queues = cells.count == 1 ? "queue \(cells[0].queue)" : "queues \(Words.queues(cells.map(\.queue)))"
            let lost = cells.reduce(0) { $0 + $1.lost }
            let became = lost == misplaced ? "lost" : lost > 0 ? "\(lost) lost, the rest in the wrong place" : "in the wrong place"
            return "<li><strong>\(HTMLReport.esc(trafficClass))</strong> on \(queues): \(misplaced) \(became)</li>"
        }
        return "<ul class=\"lead bad\">\(lines.joined())</ul>"
    }

    private static func cell(_ cell: FateCell, socket: Bool) -> String {
        let esc = HTMLReport.esc, attr = HTMLReport.attr
        let parts: [(String, Int, String)] = [("f-xsk", cell.xsk, "socket"), ("f-kernel", cell.kernel, "kernel"),
                                              ("f-lost", cell.lost, "lost"), ("f-both", cell.both, "both")]
        let present = parts.filter { $0.1 > 0 }
        let fate = present.count == 1 ? present[0].0 : "f-mixed"
        let label = present.count == 1 ? present[0].2 : present.map { "\($0.1) \($0.2)" }.joined(separator: " · ")
        let bar = present.map { part in
            let width = Double(part.1) * 100 / Double(max(cell.injected, 1))
            return "<i class=\"\(part.0)\" style=\"width:\(String(format: "%.1f", width))%\"></i>"
        }.joined()
        var classes = "cell \(fate)"
        var flag = ""
        if cell.misplaced > 0 {
            classes += " wrong"
            flag = "<span class=\"flag\">✗ \(cell.misplaced) wrong · expected \(expected(cell))</span>"
        }
        let title = "\(cell.trafficClass) on queue \(cell.queue) (\(socket ? "socket" : "no socket")): \(cell.injected) sent; "
            + "expected \(expected(cell)); observed \(present.map { "\($0.1) \($0.2)" }.joined(separator: ", "))"
            + (cell.unjudged > 0 ? "; \(cell.unjudged) not judged (sent while the socket was being registered)" : "")
        return "<td class=\"\(classes)\" data-class=\"\(attr(cell.trafficClass))\" data-queue=\"\(cell.queue)\" "
            + "data-misplaced=\"\(cell.misplaced)\" title=\"\(attr(title))\">"
            + "<span class=\"n\">\(cell.injected)</span><span class=\"label\">\(esc(label))</span>"
            + "<span class=\"bar\">\(bar)</span>\(flag)</td>"
    }

    /// "kernel", "socket", or "3 socket, 2 kernel" for a cell whose packets had to go to both.
    private static func expected(_ cell: FateCell) -> String {
        switch (cell.expectedKernel, cell.expectedXSK) {
        case (0, 0): return "nothing (not judged)"
        case (_, 0): return "kernel"
        case (0, _): return "socket"
        default: return "\(cell.expectedXSK) socket, \(cell.expectedKernel) kernel"
        }
    }
}
