import Synchronization

/// A flag that many threads read and one sets, to end loops that wake up regularly to look at it.
final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    var isRaised: Bool { raised.load(ordering: .acquiring) }

    /// Raises the flag; true for the call that raised it, false if it was up already.
    @discardableResult
    func raise() -> Bool {
        !raised.exchange(true, ordering: .acquiringAndReleasing)
    }
}
