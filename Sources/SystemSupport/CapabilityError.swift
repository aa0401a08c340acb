/// This machine lacks something the lab needs (root, permission to load BPF, native XDP on the driver):
/// not a fault of the lab or of the stack under test. The command line exits with status 3 for it.
public struct CapabilityError: Error, CustomStringConvertible, Sendable {
    public let capability: String
    public let detail: String

    public init(capability: String, detail: String) {
        self.capability = capability
        self.detail = detail
    }

    public var description: String { "this machine lacks \(capability): \(detail)" }
}
