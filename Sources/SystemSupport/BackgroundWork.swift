import Foundation

/// Work started on a thread of its own while the caller does something else; `wait()` collects its result
/// (or rethrows its error). For steps that mostly wait on other processes or the kernel, so they overlap.
public final class BackgroundWork<Value>: @unchecked Sendable {
    // @unchecked: `outcome` is written once on the worker thread before `done` is signalled, and read only after it.
    private var outcome: Result<Value, Error>?
    private let done = DispatchSemaphore(value: 0)

    public init(name: String, _ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            outcome = Result { try body() }
            done.signal()
        }
        thread.name = name
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Blocks until the work has ended. Call once.
    public func wait() throws -> Value {
        done.wait()
        return try outcome!.get()
    }
}
