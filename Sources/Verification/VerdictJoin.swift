import Evidence

/// Where the program's own verdict and where the packet was seen do not fit together.
public enum VerdictDisagreement: String, Sendable, Codable, Hashable, CaseIterable {
    /// XDP_PASS, yet the kernel's tap never saw the frame.
    case passNotSeenByKernel = "pass-not-seen-by-kernel"
    /// XDP_REDIRECT that the kernel did not report as failed, yet no socket got the frame.
    case redirectNotReceived = "redirect-not-received"
    /// A verdict that ends the frame in XDP (DROP, ABORTED, TX, an illegal value, a failed redirect), yet the kernel
    /// or a socket saw it.
    case droppedButSeen = "dropped-but-seen"

    /// "returned XDP_PASS but the kernel's tap never saw them".
    public var text: String {
        switch self {
        case .passNotSeenByKernel: return "the program returned XDP_PASS but the kernel's tap never saw them"
        case .redirectNotReceived: return "the program returned XDP_REDIRECT and the redirect did not fail, but no socket got them"
        case .droppedButSeen: return "the program's verdict ends the frame in XDP, yet the kernel or a socket saw them"
        }
    }
}

/// Each injected packet beside the XDP verdict fexit recorded for it, joined by tag id.
public struct VerdictJoin: Sendable {
    public struct Row: Sendable {
        public let packet: InjectedPacket
        public let verdict: PacketVerdict?
        public let fate: Fate
        public let disagreement: VerdictDisagreement?
    }

    public let rows: [Row]

    /// nil when the run recorded no verdicts (unavailable here, or not attempted).
    public init?(_ observations: Observations) {
        guard let evidence = observations.evidence.verdicts, evidence.unavailable == nil else { return nil }
        let byID = evidence.byID
        rows = observations.injected.map { packet in
            let fate = Verifier.fate(of: packet, in: observations)
            let verdict = byID[packet.id]
            return Row(packet: packet, verdict: verdict, fate: fate, disagreement: verdict.flatMap { Self.disagreement($0, fate) })
        }
    }

    /// Whether `verdict` and `fate` contradict each other.
    public static func disagreement(_ verdict: PacketVerdict, _ fate: Fate) -> VerdictDisagreement? {
        let inKernel: Bool, inSocket: Bool
        switch fate {
        case .kernel: (inKernel, inSocket) = (true, false)
        case .xsk: (inKernel, inSocket) = (false, true)
        case .both: (inKernel, inSocket) = (true, true)
        case .lost: (inKernel, inSocket) = (false, false)
        }
        if verdict.endsBeforeKernelAndSockets { return inKernel || inSocket ? .droppedButSeen : nil }
        if verdict.action == PacketVerdict.pass { return inKernel ? nil : .passNotSeenByKernel }
        if verdict.action == PacketVerdict.redirect { return inSocket ? nil : .redirectNotReceived }
        return nil
    }

    public var disagreements: [Row] { rows.filter { $0.disagreement != nil } }
    public var lost: [Row] { rows.filter { $0.fate == .lost } }
}
