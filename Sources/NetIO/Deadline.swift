/// A point on the monotonic clock by which an operation must finish.
public typealias Deadline = ContinuousClock.Instant

extension Deadline {
    /// A deadline `timeout` from now.
    static func after(_ timeout: Duration) -> Deadline { .now.advanced(by: timeout) }

    /// Milliseconds left, rounded up, never negative; for `epoll_wait`.
    var millisecondsLeft: Int32 {
        let left = ContinuousClock.now.duration(to: self)
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        let ms = seconds * 1_000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}

extension Duration {
    /// Seconds as a `Double`, for reports.
    var secondsValue: Double {
        let (s, a) = components
        return Double(s) + Double(a) / 1e18
    }
}
