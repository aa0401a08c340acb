import Packets
import Synchronization

/// Load-phase frames the stack's sockets read, per load template (`LoadTag`). A drain loop adds a whole batch's
/// hits at once, so the lock is taken once per batch, not per frame, and no frame is remembered.
public final class LoadCounts: Sendable {
    private let counts = Mutex<[Int]>(Array(repeating: 0, count: LoadTag.capacity))

    public init() {}

    func add(_ slots: [Int]) {
        counts.withLock { counts in
            for slot in slots { counts[slot] += 1 }
        }
    }

    /// Counts of templates 0..<templates.
    public func snapshot(templates: Int) -> [Int] {
        counts.withLock { Array($0.prefix(templates)) }
    }
}
