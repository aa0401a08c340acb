import Sequencing

extension MapRingPoller {
    /// How the poller waits for packets, when it stalls on purpose and what it keeps.
    public struct Options: Sendable {
        /// What the poller does while the slot at the read index is not ready.
        public enum Idle: Sendable, Hashable {
            /// Poll again at once, like the published experiment: keeps one core busy.
            case busyPoll
            /// Sleep between polls.
            case sleep(nanoseconds: UInt64)
            /// Poll at once for `spinNanoseconds` after the last packet, then sleep between polls.
            case adaptive(spinNanoseconds: UInt64, sleepNanoseconds: UInt64)
        }

        public var idle: Idle
        /// Stalls relative to `start()`.
        public var stalls: StallPlan
        /// Keep every slot's bytes (`payloads()`), not only the parsed arrivals.
        public var keepPayloads: Bool

        public init(idle: Idle = .adaptive(spinNanoseconds: 50_000, sleepNanoseconds: 10_000),
                    stalls: StallPlan = .none, keepPayloads: Bool = false) {
            self.idle = idle
            self.stalls = stalls
            self.keepPayloads = keepPayloads
        }
    }
}
