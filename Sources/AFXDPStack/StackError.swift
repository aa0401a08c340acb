/// The program under test breaks xdplab's contract, or the steps came in an order that cannot work.
public struct StackError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
