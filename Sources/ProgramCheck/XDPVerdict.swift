/// An XDP program's return value as BPF_PROG_TEST_RUN reports it: one of the five actions of
/// `enum xdp_action`, or anything else, which the kernel treats as ABORTED ("Illegal XDP return value").
public enum XDPVerdict: Hashable, Sendable {
    case aborted, drop, pass, tx, redirect
    case illegal(UInt32)

    public init(_ raw: UInt32) {
        switch raw {
        case 0: self = .aborted
        case 1: self = .drop
        case 2: self = .pass
        case 3: self = .tx
        case 4: self = .redirect
        default: self = .illegal(raw)
        }
    }

    /// The value the program returned.
    public var raw: UInt32 {
        switch self {
        case .aborted: return 0
        case .drop: return 1
        case .pass: return 2
        case .tx: return 3
        case .redirect: return 4
        case .illegal(let value): return value
        }
    }

    /// "PASS", "REDIRECT", "illegal -2".
    public var name: String {
        switch self {
        case .aborted: return "ABORTED"
        case .drop: return "DROP"
        case .pass: return "PASS"
        case .tx: return "TX"
        case .redirect: return "REDIRECT"
        case .illegal(let value): return "illegal \(Int32(bitPattern: value))"
        }
    }

    /// Column of the verdict tables: the five actions, then every illegal value together.
    public var bucket: Int { raw <= 4 ? Int(raw) : 5 }
    public static let bucketNames = ["ABORTED", "DROP", "PASS", "TX", "REDIRECT", "illegal"]
}

/// The two XSKMAP states every frame is run in.
public enum SlotState: Int, CaseIterable, Sendable, Comparable {
    /// No socket in any slot: a matching frame must fall back to the kernel.
    case empty = 0
    /// The slot of the frame's own RX queue holds a real AF_XDP socket bound to that queue; every other slot
    /// is empty, so a program that reaches for another queue's slot meets an empty one and shows it.
    case registered = 1

    public var name: String { self == .empty ? "empty" : "registered" }
    public var title: String { self == .empty ? "slot empty" : "socket registered" }

    public static func < (a: SlotState, b: SlotState) -> Bool { a.rawValue < b.rawValue }
}
