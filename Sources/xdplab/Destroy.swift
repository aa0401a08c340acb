import ArgumentParser
import Foundation
import Realization
import SystemSupport

struct Destroy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take one run's lab down: a lab kept with run --keep, or the leftovers of a killed run.",
        discussion: "Ends every process inside the run's namespaces, then deletes them. A run whose xdplab process is still running it is left to that process.")

    @Argument(help: ArgumentHelp( "The run id (as `xdplab list` shows it), or one of its namespaces (xdplab-<run>-<host>).", valueName: "run"),
              completion: .shellCommand("ls /run/xdplab/runs 2>/dev/null"))
    var runID: String

    func validate() throws {
        guard id != nil else { throw ValidationError("\(runID) is not a run id (6 hex digits) nor an xdplab-<run>-<host> namespace") }
    }

    private var id: String? {
        if runID.count == 6, runID.allSatisfy(\.isHexDigit) { return runID.lowercased() }
        return Ownership.runID(ofNamespace: runID)
    }

    func run() throws {
        guard let id else { throw Status.badInput }
        let removals: [Cleaner.Removal]
        do {
            removals = try Cleaner.destroy(run: id)
        } catch let refusal as Cleaner.DestroyRefusal {
            FileHandle.standardError.write(Data("xdplab destroy: \(refusal)\n".utf8))
            throw Status.badInput
        }
        var failed = false
        for removal in removals {
            if let error = removal.error {
                failed = true
                print("could not remove \(removal.namespace): \(error)")
            } else {
                print("removed \(removal.namespace) with its links, XDP programs and processes")
            }
        }
        if removals.isEmpty { print("run \(id) had no namespaces left; its record is gone") }
        if failed { throw Status.failed }
    }
}
