import ArgumentParser
import Foundation
import Realization
import SystemSupport

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the xdplab runs that are up: run id, lab, age, owner pid, and whether live, kept or left over.",
        discussion: """
            live: its xdplab process is running it. kept: left up by run --keep (xdplab destroy RUN takes it down).
            leftover: its process died without tearing down (xdplab clean removes it).
            """)

    func run() throws {
        let rows = Self.rows()
        guard !rows.isEmpty else {
            print("no xdplab runs are up")
            return
        }
        let headers = ["RUN", "LAB", "AGE", "PID", "STATE", "NAMESPACES"]
        let widths = headers.indices.map { column in ([headers] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [headers] + rows {
            print(row.indices.map { $0 == row.count - 1 ? row[$0] : row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  "))
        }
    }

    /// One row per run that has namespaces or a live record.
    static func rows(now: Date = Date()) -> [[String]] {
        let namespaces = Dictionary(grouping: Ownership.existingNamespaces().compactMap { name in
            Ownership.runID(ofNamespace: name).map { (run: $0, name: name) }
        }, by: \.run)
        let records = Dictionary(uniqueKeysWithValues: Ownership.records().map { ($0.run, $0) })
        let runs = Set(namespaces.keys).union(records.filter { $0.value.ownerAlive }.keys).sorted()
        return runs.map { run in
            let record = records[run]
            let state = record?.kept != nil ? "kept" : (record?.ownerAlive == true ? "live" : "leftover")
            let started = record?.started.map { age(now.timeIntervalSince($0)) } ?? "?"
            let names = namespaces[run]?.map(\.name).sorted().joined(separator: ",") ?? "-"
            return [run, record?.lab ?? "?", started, record?.pid.map(String.init) ?? "-", state, names]
        }
    }

    /// "42s", "3m05s", "2h07m", "3d04h".
    static func age(_ seconds: Double) -> String {
        let total = max(0, Int(seconds))
        switch total {
        case ..<60: return "\(total)s"
        case ..<3600: return String(format: "%dm%02ds", total / 60, total % 60)
        case ..<86400: return String(format: "%dh%02dm", total / 3600, total % 3600 / 60)
        default: return String(format: "%dd%02dh", total / 86400, total % 86400 / 3600)
        }
    }
}
