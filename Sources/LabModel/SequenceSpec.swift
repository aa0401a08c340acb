/// Sequenced traffic: numbered packets sent at a fixed pace to one receiver, which must get them all, in order.
/// A lab with `traffic.sequence` is a sequence lab: it sends nothing else and its checks are `in-order` and
/// `no-loss`. Times are nanoseconds, because pacing intervals go down to a microsecond.
public struct SequenceSpec: Sendable, Equatable {
    public var pacing: SequencePacing
    public var extent: SequenceExtent
    /// UDP destination port of every packet.
    public var port: UInt16
    /// The receiver's RX queue the packets are steered to.
    public var queue: Int
    public var receiver: SequenceReceiverKind
    /// In file order.
    public var faults: [SequenceFault]
    /// Sampling interval of the map ring; nil when not watched (only the map-ring receiver has a ring).
    public var ringWatch: UInt64?
    public var maxLoss: LossBound

    public init(pacing: SequencePacing, extent: SequenceExtent, port: UInt16, queue: Int = 0,
                receiver: SequenceReceiverKind = .afXDP, faults: [SequenceFault] = [], ringWatch: UInt64? = nil,
                maxLoss: LossBound = .packets(0)) {
        self.pacing = pacing
        self.extent = extent
        self.port = port
        self.queue = queue
        self.receiver = receiver
        self.faults = faults
        self.ringWatch = ringWatch
        self.maxLoss = maxLoss
    }

    /// How long sending takes by plan, when that is known before the run (not for as-fast-as-possible counts).
    public var plannedDuration: UInt64? {
        switch (extent, pacing) {
        case (.duration(let nanoseconds), _): return nanoseconds
        case (.count(let count), .interval(let interval)): return UInt64(max(count - 1, 0)) * interval
        case (.count, .asFastAsPossible): return nil
        }
    }
}

/// When packets leave the sender.
public enum SequencePacing: Sendable, Equatable {
    /// One packet every this many nanoseconds (`interval: 20us` or `rate: 50000/s`).
    case interval(UInt64)
    case asFastAsPossible
}

/// How much the sender sends.
public enum SequenceExtent: Sendable, Equatable {
    case count(Int)
    /// Nanoseconds.
    case duration(UInt64)
}

/// Who receives the sequenced packets, as lab files name them.
public enum SequenceReceiverKind: String, Sendable, CaseIterable {
    /// The AF_XDP socket the lab's stack opens on `queue` (the stack's program redirects the port to it).
    case afXDP = "af-xdp"
    /// A kernel UDP socket bound to the stack host's address; the stack's program must pass the port on.
    case udpSocket = "udp-socket"
    /// The stack's program is a map-ring program (Labs/programs/map_ring*.bpf.c): it stores payloads into a
    /// BPF array map that a user-space poller drains. No AF_XDP sockets.
    case mapRing = "map-ring"
}

/// Something done to the receiver during the run; every time counts from the first packet sent.
public enum SequenceFault: Sendable, Equatable {
    /// The consumer stops reading for `duration`, starting `at`.
    case stallConsumer(at: UInt64, duration: UInt64)
    /// The consumer stops reading for `duration` every `every`, the first time at `firstAt`.
    case stallConsumerPeriodically(every: UInt64, duration: UInt64, firstAt: UInt64)
    /// The receiver becomes ready only this long after the first packet: the AF_XDP socket is written into
    /// `xsks_map` late, the UDP socket is bound late, the map-ring poller starts late.
    case delayRegistration(UInt64)
    /// The XDP program is detached `at`, and attached again `duration` later.
    case reattach(at: UInt64, duration: UInt64)

    /// Whether this is `delay-registration`, which changes how the receiver is brought up.
    public var isRegistrationDelay: Bool {
        if case .delayRegistration = self { return true }
        return false
    }

    /// As lab files write it: "stall-consumer at 1s for 200ms".
    public var name: String {
        switch self {
        case .stallConsumer(let at, let duration):
            return "stall-consumer at \(SequenceTime.format(at)) for \(SequenceTime.format(duration))"
        case .stallConsumerPeriodically(let every, let duration, let firstAt):
            return "stall-consumer every \(SequenceTime.format(every)) for \(SequenceTime.format(duration)), "
                + "first at \(SequenceTime.format(firstAt))"
        case .delayRegistration(let delay): return "delay-registration \(SequenceTime.format(delay))"
        case .reattach(let at, let duration):
            return "reattach at \(SequenceTime.format(at))" + (duration > 0 ? " for \(SequenceTime.format(duration))" : "")
        }
    }
}

/// How many of the expected packets `no-loss` lets go missing.
public enum LossBound: Sendable, Equatable {
    /// At most this many (`max-loss: 0`, the default).
    case packets(Int)
    /// At most this fraction of the packets sent (`max-loss: 0.5%` is 0.005).
    case fraction(Double)
    /// Any number, but only of packets sent while a fault was in force (a stall, a detached program, a
    /// receiver not yet registered): loss during the stall only (`max-loss: during-faults`).
    case duringFaults

    public var name: String {
        switch self {
        case .packets(let count): return "\(count)"
        case .fraction(let fraction): return SequenceTime.plain(fraction * 100) + "%"
        case .duringFaults: return "during-faults"
        }
    }
}

/// Times with a unit, as sequence settings write them: "500ns", "20us" (or "20µs"), "1.5ms", "2s", "1m".
public enum SequenceTime {
    static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9),
    ]

    /// Nanoseconds, or nil when `text` is not a positive number with one of the units (a bare number is
    /// refused: "20" could mean anything from nanoseconds to seconds here).
    public static func parse(_ text: String) -> UInt64? {
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) && text.count > $0.suffix.count }) else {
            return nil
        }
        let number = text.dropLast(unit.suffix.count)
        guard number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), number.filter({ $0 == "." }).count <= 1,
              number.contains(where: \.isNumber), let value = Double(number), value > 0 else { return nil }
        let nanoseconds = (value * unit.nanoseconds).rounded()
        guard nanoseconds >= 1, nanoseconds < 1e15 else { return nil }
        return UInt64(nanoseconds)
    }

    /// The shortest exact form: 20_000 → "20us", 1_500_000 → "1.5ms", 2_000_000_000 → "2s".
    public static func format(_ nanoseconds: UInt64) -> String {
        for (suffix, scale) in [("s", 1e9), ("ms", 1e6), ("us", 1e3)] where Double(nanoseconds) >= scale {
            let value = Double(nanoseconds) / scale
            if (value * 1000).rounded() == value * 1000 { return plain(value) + suffix }
        }
        return "\(nanoseconds)ns"
    }

    /// "2" rather than "2.0", at most three decimals.
    static func plain(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : String(rounded)
    }
}
