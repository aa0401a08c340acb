import ArgumentParser
import Realization

struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove what killed runs left behind: only namespaces xdplab marked as its own.")

    func run() throws {
        let removals = Cleaner.removeLeftovers()
        if removals.isEmpty {
            print("nothing to clean: no leftover xdplab namespaces")
            return
        }
        var failed = false
        for removal in removals {
            if let error = removal.error {
                failed = true
                print("could not remove \(removal.namespace) (run \(removal.run)): \(error)")
            } else {
                print("removed \(removal.namespace) (run \(removal.run)) with its links and XDP programs")
            }
        }
        if failed { throw Status.failed }
    }
}
