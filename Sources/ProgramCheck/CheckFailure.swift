import SystemSupport

/// Why a check could not produce a verdict matrix at all. The command line turns `badInput` into exit
/// status 2 and `missingCapability` into 3.
public struct CheckFailure: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// A missing or unreadable file, a compile error, a program that breaks the contract or fails the verifier.
        case badInput
        /// This machine lacks something (root, BPF, clang).
        case missingCapability
    }

    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// Sorts any error from the layers below: capability errors and missing tools are the machine's fault,
    /// everything else is the input's.
    static func wrapping(_ error: Error, while attempted: String) -> CheckFailure {
        switch error {
        case let failure as CheckFailure: return failure
        case let capability as CapabilityError: return CheckFailure(.missingCapability, "\(attempted): \(capability)")
        case let tool as MissingToolError: return CheckFailure(.missingCapability, "\(attempted): \(tool)")
        default: return CheckFailure(.badInput, "\(attempted): \(error)")
        }
    }
}
