import ArgumentParser
import Foundation
import Realization
import SystemSupport

struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove what killed runs left behind: only namespaces xdplab marked as its own.",
        discussion: """
            Labs kept with `xdplab run --keep` stay until `xdplab destroy RUN`, or `xdplab clean --all`.
            Labs whose xdplab process is still running are never touched.
            """)

    @Flag(help: "Remove kept labs too (xdplab run --keep).")
    var all = false

    func run() throws {
        let removals = Cleaner.removeLeftovers(includingKept: all)
        let kept = all ? [] : Ownership.records().filter { $0.kept != nil }
        if removals.isEmpty { print("nothing to clean: no leftover xdplab namespaces") }
        var failed = false
        for removal in removals {
            if let error = removal.error {
                failed = true
                print("could not remove \(removal.namespace) (run \(removal.run)): \(error)")
            } else {
                print("removed \(removal.namespace) (run \(removal.run)) with its links and XDP programs")
            }
        }
        for record in kept {
            print("left kept run \(record.run) (lab \(record.lab ?? "?")) up: xdplab destroy \(record.run), or xdplab clean --all")
        }
        if failed { throw Status.failed }
    }
}
