import Foundation
import Glibc

/// Runs timing-sensitive lab work ahead of whatever else the machine runs.
public enum Scheduling {
    /// Runs `body` with the calling thread at nice `niceness` (root may lower it below 0), and puts it back after.
    ///
    /// On Linux a nice value belongs to a thread (`setpriority(PRIO_PROCESS, 0, …)` sets the caller's only), and a
    /// thread starts with its creator's. So every thread the body starts (an AF_XDP socket's drain loop, a UDP
    /// reader, the map-ring poller) runs at that priority too, and so does the paced sender on this thread. A
    /// sequence lab's no-loss claim is about the stack and its consumer; on a CI machine whose two cores also
    /// compile other work, consumers at nice 0 get a fair share of a core and can fall behind at 48000 packets/s for
    /// reasons that have nothing to do with the stack. At -20 they win the core whenever they are runnable; the
    /// rate, the buffers and what the lab claims stay as they are. (The receiver's own pauses, a tag search and a
    /// growing record array, were fixed in the receiver; this covers only the machine's other work.)
    public static func aheadOfTheMachine<T>(niceness: Int32 = -20, _ body: () throws -> T) rethrows -> T {
        errno = 0
        let before = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let known = errno == 0
        let raised = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) == 0
        defer {
            if raised && known { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, before) }
        }
        return try body()
    }
}
