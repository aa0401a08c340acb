import Packets

/// What the rules ask of the program for one frame, whichever RX queue it arrives on.
public enum FrameExpectation: UInt8, Sendable, CaseIterable {
    /// The frame does not match the validator rule: the kernel must see it.
    case pass = 0
    /// The frame matches (`ParsedFrame.matchesValidatorRule`): the socket of its queue gets it, or the
    /// kernel when that slot is empty.
    case claim = 1
    /// A damaged copy of a matching frame (cut short, a length or version field broken) whose UDP
    /// destination port can still be read: the kernel would discard it itself, so claiming it is harmless
    /// and passing it is right.
    case passOrClaim = 2

    public var name: String {
        switch self {
        case .pass: return "pass"
        case .claim: return "claim"
        case .passOrClaim: return "pass-or-claim"
        }
    }

    /// The rule applied to a parsed frame. `damagedMatching` comes from whoever damaged the frame; it only
    /// counts for frames the parser finds a problem in (a well-formed frame is judged by the rule alone).
    public static func of(_ frame: ParsedFrame, ports: Set<UInt16>, damagedMatching: Bool = false) -> FrameExpectation {
        if frame.matchesValidatorRule(ports: ports) { return .claim }
        return damagedMatching && frame.problem != nil ? .passOrClaim : .pass
    }
}
