import Foundation

/// A value guarded by a lock, for state shared between threads.
///
/// Built on `NSLock` (a pthread mutex) rather than `Synchronization.Mutex`, whose futex-based
/// Linux implementation ThreadSanitizer cannot see: with this one, `scripts/test --sanitize=thread`
/// reports real races only.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
