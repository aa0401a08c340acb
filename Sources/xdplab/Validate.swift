import ArgumentParser
import Foundation
import LabModel

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check lab files without running them; every problem is reported as file:line:column.")

    @Argument(help: "Lab files (YAML).")
    var labs: [String]

    func run() throws {
        let (loaded, problems) = LabFiles.load(labs)
        for lab in loaded { print("\(lab.path): ok (\(lab.name))") }
        if problems > 0 { throw Status.badInput }
    }
}

enum LabFiles {
    /// Loads every file, printing each problem to standard error; returns the good ones and the problem count.
    static func load(_ paths: [String]) -> ([Lab], Int) {
        var labs: [Lab] = []
        var problems = 0
        for path in paths {
            do {
                labs.append(try LabLoader.load(path: path))
            } catch let error as LabFileError {
                problems += error.diagnostics.count
                FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            } catch {
                problems += 1
                FileHandle.standardError.write(Data("\(path): error: \(error)\n".utf8))
            }
        }
        return (labs, problems)
    }
}
