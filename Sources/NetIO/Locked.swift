import Glibc

/// A value guarded by a lock, for state shared between threads.
///
/// Built on a pthread mutex rather than `Synchronization.Mutex`, whose futex-based Linux
/// implementation ThreadSanitizer cannot see: with this one, `scripts/test --sanitize=thread`
/// reports real races only. (Not `NSLock`: NetIO links FoundationEssentials only.)
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
