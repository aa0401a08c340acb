/// The verdicts a safe program may return, by expectation and slot state:
///
/// | frame | slot empty | socket registered |
/// |---|---|---|
/// | not matching | PASS | PASS |
/// | matching | PASS (the `bpf_redirect_map` fallback) | REDIRECT |
/// | damaged matching | PASS | PASS or REDIRECT |
///
/// ABORTED, DROP, TX and illegal values are never allowed: every frame a program does not hand to its
/// socket must reach the kernel.
public enum CheckRules {
    public static func allowed(_ expectation: FrameExpectation, _ state: SlotState) -> [XDPVerdict] {
        switch (expectation, state) {
        case (.pass, _), (.claim, .empty), (.passOrClaim, .empty): return [.pass]
        case (.claim, .registered): return [.redirect]
        case (.passOrClaim, .registered): return [.pass, .redirect]
        }
    }

    public static func allows(_ verdict: XDPVerdict, _ expectation: FrameExpectation, _ state: SlotState) -> Bool {
        allowed(expectation, state).contains(verdict)
    }

    /// Bit `v` is set when return value `v` (0...4) is allowed; the judge's hot loop uses it.
    static func allowedMask(_ expectation: FrameExpectation, _ state: SlotState) -> UInt8 {
        allowed(expectation, state).reduce(0) { $0 | 1 << UInt8($1.raw) }
    }

    /// Why a verdict breaks the rules, in words a reader of the report needs; nil when it is allowed.
    public static func explanation(_ verdict: XDPVerdict, _ expectation: FrameExpectation, _ state: SlotState) -> String? {
        guard !allows(verdict, expectation, state) else { return nil }
        switch verdict {
        case .aborted:
            return "ABORTED drops the frame and fires xdp:xdp_exception"
                + (expectation == .pass ? "" : state == .empty ? "; with an empty slot, bpf_redirect_map flags 0 give exactly this" : "")
        case .drop: return "DROP discards a frame the kernel must see"
        case .tx: return "TX sends the frame back out of the interface; the kernel never sees it"
        case .illegal(let value):
            return "return value \(Int32(bitPattern: value)) is not an XDP action: the kernel treats it as ABORTED"
        case .pass:
            return "a matching frame was not claimed although its queue's socket is registered"
        case .redirect:
            if state == .empty {
                return "REDIRECT with every slot empty: the frame went somewhere other than an AF_XDP socket"
            }
            return "the program claimed a frame that does not match the validator rule"
        }
    }
}
