import Evidence

/// Which injected packets reached a socket that xdplab does not own, inferred from the kernel's successful
/// redirect events. The events carry no packet, only a time and a map key (the RX queue, for an XSKMAP redirect
/// that succeeds), so each event goes to the packet it most plausibly belongs to: the latest packet on the same
/// queue, not seen by the kernel and not yet taken, sent no later than `lead` after the event and no earlier than
/// `window` before it. Counts per queue come out exact; between two packets sent to one queue within
/// microseconds, which one arrived is a guess.
public enum RedirectMatching {
    /// How far the clock read after `send` may fall behind the redirect it caused: the receiving side runs before
    /// `send` returns, and a busy machine can preempt the sender between the two (seen: over 2 ms).
    public static let lead = 0.02
    /// How long after its send a redirect can still belong to a packet (a busy machine defers receive work).
    public static let window = 0.25

    /// Packet id → queue, for packets judged to have reached the socket of their queue. `events` are in seconds on
    /// the packets' `sentAt` clock.
    public static func arrivals(injected: [InjectedPacket], kernelIDs: [UInt64: Double],
                                events: [(at: Double, mapIndex: Int32)]) -> [UInt64: Int] {
        var candidates: [Int: [InjectedPacket]] = [:]
        for packet in injected where kernelIDs[packet.id] == nil {
            candidates[packet.queue, default: []].append(packet)
        }
        var arrivals: [UInt64: Int] = [:]
        for (queue, packets) in candidates {
            let sorted = packets.sorted { $0.sentAt < $1.sentAt }
            var taken = [Bool](repeating: false, count: sorted.count)
            let times = events.filter { $0.mapIndex == Int32(queue) }.map(\.at).sorted()
            for time in times {
                // The latest packet sent no later than time + lead and not before time - window, still free.
                var index = upperBound(sorted, time + lead) - 1
                while index >= 0, sorted[index].sentAt >= time - window, taken[index] { index -= 1 }
                guard index >= 0, sorted[index].sentAt >= time - window else { continue }
                taken[index] = true
                arrivals[sorted[index].id] = queue
            }
        }
        return arrivals
    }

    /// The number of packets sent at or before `time`.
    private static func upperBound(_ packets: [InjectedPacket], _ time: Double) -> Int {
        var low = 0, high = packets.count
        while low < high {
            let middle = (low + high) / 2
            if packets[middle].sentAt <= time { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
