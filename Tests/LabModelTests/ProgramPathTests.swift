import Foundation
import Testing
@testable import LabModel

@Suite("program: paths are resolved from the lab file's folder")
struct ProgramPathTests {
    @Test("relative paths are made absolute and standardized")
    func relativeAndStandardized() throws {
        let yaml = Fixtures.base(replacing: "../programs/port_redirect.bpf.c", with: "./../labs/../programs/./port_redirect.bpf.c")
        let lab = try LabLoader.parse(yaml: yaml, path: Fixtures.inlinePath)
        #expect(lab.stack.program == Fixtures.program("port_redirect.bpf.c"))
    }

    @Test("absolute paths are kept; .o objects are accepted")
    func absoluteObject() throws {
        let object = Fixtures.program("port_redirect.o")
        let lab = try LabLoader.parse(yaml: Fixtures.base(replacing: "../programs/port_redirect.bpf.c", with: object),
                                      path: "/nonexistent/folder/lab.yaml")
        #expect(lab.stack.program == object)
    }

    @Test("the lab path itself may be relative to the current directory")
    func relativeLabPath() throws {
        let cwd = FileManager.default.currentDirectoryPath
        let relativeLab = String(repeating: "../", count: cwd.split(separator: "/").count) + Fixtures.inlinePath.dropFirst()
        let lab = try LabLoader.parse(yaml: Fixtures.baseYAML, path: relativeLab)
        #expect(lab.path == Fixtures.inlinePath)
        #expect(lab.stack.program == Fixtures.program("port_redirect.bpf.c"))
    }

    @Test("a missing program is reported at the program: value")
    func missingProgram() throws {
        let path = Fixtures.lab("missing-program.yaml")
        let error = try #require(throws: LabFileError.self) { try LabLoader.load(path: path) }
        #expect(error.diagnostics.count == 1)
        let problem = try #require(error.diagnostics.first)
        #expect(problem.location == SourceLocation(file: path, line: 9, column: 12))
        #expect(problem.message == "program file \(Fixtures.program("no_such_program.bpf.c")) does not exist; "
                + "relative paths start at the lab file's folder, \(Fixtures.folder)/labs")
    }

    @Test("other file kinds and folders are refused")
    func wrongKinds() {
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "port_redirect.bpf.c", with: "port_redirect.c"))
                == "10:12: program must be a BPF C source ending in .bpf.c or a compiled object ending in .o; "
                 + "got '../programs/port_redirect.c'")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-tmodel-\(getpid()).o").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "../programs/port_redirect.bpf.c", with: folder))
                == "10:12: program \(folder) is a folder; name a .bpf.c or .o file")
    }
}
