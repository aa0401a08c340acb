import Packets

/// One named frame of the corpus.
public struct CheckCase: Sendable, Hashable {
    /// Unique in the corpus, such as "udp4-to-8003" or "trunc-udp6-to-8003-at-53-in-ipv6".
    public let name: String
    public let caseClass: CaseClass
    public let frame: [UInt8]
    /// Set by the corpus when the frame is a damaged copy of a matching one whose UDP destination port can
    /// still be read; see `FrameExpectation.passOrClaim`.
    public let damagedMatching: Bool

    public init(_ name: String, _ caseClass: CaseClass, _ frame: [UInt8], damagedMatching: Bool = false) {
        self.name = name
        self.caseClass = caseClass
        self.frame = frame
        self.damagedMatching = damagedMatching
    }

    /// BPF_PROG_TEST_RUN refuses XDP frames shorter than an Ethernet header (EINVAL), and no driver hands
    /// XDP such a frame; those cases are listed in the report but not run.
    public static let minimumRunnableLength = 14
    public var isRunnable: Bool { frame.count >= Self.minimumRunnableLength }

    public func expectation(ports: Set<UInt16>) -> FrameExpectation {
        FrameExpectation.of(FrameParser.parse(frame), ports: ports, damagedMatching: damagedMatching)
    }
}
