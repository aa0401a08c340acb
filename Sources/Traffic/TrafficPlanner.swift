import Packets

/// Turns traffic classes into tagged frames, each aimed at one receiver RX queue.
public enum TrafficPlanner {
    /// rounds × classes × queues slots; most classes give several frames per slot (validator-udp4 one
    /// per validator port, arp a request and a reply, ipv4-fragments the two fragments of each of two
    /// datagrams; `FrameRecipes` has them all). Slots are interleaved so that consecutive
    /// slots change class and queue, which spreads both over time when sending is spread out.
    /// Ids rise from `firstID`. Classes that need a validator port give nothing when `ports` is empty.
    public static func plan(endpoints: TrafficEndpoints, classes: [PacketClass], rounds: Int, ports: [UInt16],
                            firstID: UInt64) -> [PlannedFrame] {
        var seen = Set<PacketClass>()
        let classes = classes.filter { seen.insert($0).inserted }
        let queues = max(1, endpoints.queues)
        guard !classes.isEmpty, rounds > 0 else { return [] }
        let recipes = FrameRecipes(endpoints: endpoints, validatorPorts: ports)
        let portSet = Set(ports)
        var nextID = firstID
        var planned: [PlannedFrame] = []
        let slotsPerRound = classes.count * queues
        let block = lcm(classes.count, queues)
        for slot in 0..<rounds * slotsPerRound {
            // Class and queue both step by one per slot (so neighbours differ in both); after each
            // lcm-long block the queue shifts by one more, which reaches the pairs the block missed.
            // Each round covers every (class, queue) pair once. With two queues and an even number of
            // classes the queue repeats at block edges.
            let packetClass = classes[slot % classes.count]
            let queue = (slot + slot / block) % queues
            let round = slot / slotsPerRound
            for (id, frame) in recipes.frames(for: packetClass, round: round, nextID: &nextID) {
                let parsed = FrameParser.parse(frame)
                planned.append(PlannedFrame(frame: frame, id: id, packetClass: packetClass, queue: queue,
                                            matching: parsed.matchesValidatorRule(ports: portSet),
                                            flow: parsed.flow))
            }
        }
        return planned
    }

    private static func lcm(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return a / x * b
    }
}
