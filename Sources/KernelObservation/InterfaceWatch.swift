import Foundation
import Synchronization
import Glibc
import SystemSupport

/// Every change of the XDP program attached to one interface, seen by polling the kernel (netlink) from a
/// thread of its own: what a recovery drill times the watchdog by.
public final class InterfaceWatch: Sendable {
    public struct Change: Sendable {
        /// CLOCK_MONOTONIC seconds.
        public let at: Double
        public let program: AttachedProgram?
    }

    private let namespace: String
    private let interface: String
    private let interval: Double
    private let changes = Mutex<[Change]>([])
    private let running = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)

    public init(namespace: String, interface: String, interval: Double = 0.02) {
        self.namespace = namespace
        self.interface = interface
        self.interval = interval
    }

    /// Starts polling; the first look is recorded as the first change.
    public func start() {
        running.store(true, ordering: .releasing)
        let thread = Thread { [self] in
            var last: UInt32?? = .none
            while running.load(ordering: .acquiring) {
                let program = try? AttachedPrograms.xdp(namespace: namespace, interface: interface)
                let id = program?.id
                if last == .none || last! != id {
                    let change = Change(at: monotonicSeconds(), program: program)
                    changes.withLock { $0.append(change) }
                    last = .some(id)
                }
                usleep(useconds_t(interval * 1e6))
            }
            stopped.signal()
        }
        thread.name = "xdplab interface watch"
        thread.start()
    }

    /// Stops polling (waits for the thread, at most a second) and returns every change in order.
    public func stop() -> [Change] {
        let wasRunning = running.exchange(false, ordering: .acquiringAndReleasing)
        if wasRunning { _ = stopped.wait(timeout: .now() + 1) }
        return changes.withLock { $0 }
    }
}
