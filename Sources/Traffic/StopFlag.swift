import Foundation

/// A flag that many threads read and one sets, to end loops that wake up regularly to look at it.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    /// Raises the flag; true for the call that raised it, false if it was up already.
    @discardableResult
    func raise() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let first = !raised
        raised = true
        return first
    }
}
