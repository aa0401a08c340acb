/// Something the kernel could not be asked, said in a sentence.
public struct ObservationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
