import Foundation
import TestSupport

/// Paths of the buggy programs and of the reference program, found from this file's place in the repository.
/// The fixtures are read where they stand, not from a bundle copy: they include
/// Labs/programs/include/validator_claim.h by a relative path, as the lab programs do.
enum CheckFixtures {
    static let repository: URL = {
        RepositoryPaths.root
    }()

    static let folder = repository.appendingPathComponent("Tests/ProgramCheckTests/Fixtures").path

    static func program(_ name: String) -> String { "\(folder)/\(name)" }

    /// Labs/programs/port_redirect.bpf.c.
    static let reference = repository.appendingPathComponent("Labs/programs/port_redirect.bpf.c").path
}
