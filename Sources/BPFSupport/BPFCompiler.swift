import Foundation
import SystemSupport

/// Turns a `.bpf.c` into an object file with clang; a `.o` is used as it is.
public enum BPFCompiler {
    public struct Failure: Error, CustomStringConvertible {
        public let source: String
        public let output: String
        public var description: String { "clang could not compile \(source):\n\(output)" }
    }

    /// Include folders: the multiarch one holds `asm/types.h` on Debian.
    static let includeFlags = ["-I/usr/include/x86_64-linux-gnu", "-I/usr/include/aarch64-linux-gnu"]

    /// Returns the path of a loadable object for `program`, compiling into `outputDirectory` when needed.
    public static func object(for program: String, outputDirectory: String, defines: [String: String] = [:]) throws -> String {
        if program.hasSuffix(".o") {
            guard FileManager.default.fileExists(atPath: program) else {
                throw SystemError("open BPF object \(program)", errno: ENOENT)
            }
            return program
        }
        guard FileManager.default.fileExists(atPath: program) else {
            throw SystemError("open BPF source \(program)", errno: ENOENT)
        }
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let base = URL(fileURLWithPath: program).lastPathComponent
            .replacingOccurrences(of: ".bpf.c", with: "").replacingOccurrences(of: ".c", with: "")
        let output = "\(outputDirectory)/\(base).bpf.o"
        let defineFlags = defines.sorted { $0.key < $1.key }.map { "-D\($0.key)=\($0.value)" }
        let result = try Command.run("clang", ["-O2", "-g", "-target", "bpf", "-Wall", "-Wno-unused-function"]
                                        + includeFlags + defineFlags + ["-c", program, "-o", output])
        guard result.status == 0 else { throw Failure(source: program, output: result.stderr) }
        return output
    }
}
