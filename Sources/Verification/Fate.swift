/// Where an injected packet ended up, as the capture and the AF_XDP sockets saw it.
public enum Fate: Sendable, Equatable, Hashable {
    /// The capture saw it arrive: XDP passed it to the kernel.
    case kernel
    /// The AF_XDP socket bound to `queue` received it.
    case xsk(queue: Int)
    /// Both: should be impossible for one XDP verdict, so it is always flagged.
    case both(queue: Int)
    /// Nobody saw it: XDP dropped or aborted it, or a redirect failed.
    case lost

    /// "the kernel", "the AF_XDP socket on queue 2", "lost".
    public var text: String {
        switch self {
        case .kernel: return "the kernel"
        case .xsk(let queue): return "the AF_XDP socket on queue \(queue)"
        case .both(let queue): return "both the kernel and the AF_XDP socket on queue \(queue)"
        case .lost: return "lost"
        }
    }
}

extension Fate: Codable {
    private enum CodingKeys: String, CodingKey { case fate, queue }

    /// `{"fate":"xsk","queue":2}`, `{"fate":"lost"}`: flat, so report readers need no Swift enum encoding rules.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .kernel: try container.encode("kernel", forKey: .fate)
        case .lost: try container.encode("lost", forKey: .fate)
        case .xsk(let queue):
            try container.encode("xsk", forKey: .fate)
            try container.encode(queue, forKey: .queue)
        case .both(let queue):
            try container.encode("both", forKey: .fate)
            try container.encode(queue, forKey: .queue)
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .fate)
        switch name {
        case "kernel": self = .kernel
        case "lost": self = .lost
        case "xsk": self = .xsk(queue: try container.decode(Int.self, forKey: .queue))
        case "both": self = .both(queue: try container.decode(Int.self, forKey: .queue))
        default:
            throw DecodingError.dataCorruptedError(forKey: .fate, in: container, debugDescription: "unknown fate \(name)")
        }
    }
}
