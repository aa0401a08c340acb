import ArgumentParser
import Foundation
import LabModel

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check lab files without running them; every problem is reported as file:line:column.",
        discussion: """
            A folder stands for every *.yaml below it. A file over 1 MiB is refused, and at most 50 problems are \
            printed per file.
            """)

    @Argument(help: "Lab files (YAML), or folders of them.", completion: .file(extensions: ["yaml"]))
    var labs: [String]

    func run() throws {
        let (loaded, problems) = LabFiles.load(try LabFiles.expand(labs))
        for lab in loaded { print("\(lab.path): ok (\(lab.name))") }
        if !problems.isEmpty { throw Status.badInput }
    }
}
