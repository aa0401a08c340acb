import Foundation

/// Paths of the buggy programs in the test bundle, and of the reference program in Labs/.
enum CheckFixtures {
    static let folder: String = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("the ProgramCheckTests bundle has no Fixtures folder")
        }
        return url.standardizedFileURL.path
    }()

    static func program(_ name: String) -> String { "\(folder)/\(name)" }

    /// Labs/programs/port_redirect.bpf.c, found from this file's place in the repository.
    static let reference: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Labs/programs/port_redirect.bpf.c").path
    }()
}
