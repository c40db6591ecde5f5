import Glibc
internal import CSystemShim

/// One epoll thread that resumes tasks waiting for a socket to become readable or writable, or for
/// a deadline. No thread is parked per connection; tasks suspend on continuations.
///
/// Deadlines are kept by a timerfd in the epoll set, armed for the earliest pending deadline by
/// whichever thread adds an earlier one. The loop thread itself is woken only by a socket or by
/// that timer: registering a wait never wakes it (one thread switch less per read that waits).
final class EventLoop: Sendable {
    /// The process-wide loop. It lives as long as the process.
    static let shared = EventLoop()

    enum Interest: Sendable {
        case read, write
        var events: UInt32 {
            switch self {
            case .read: UInt32(EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
            case .write: UInt32(EPOLLOUT.rawValue)
            }
        }
    }

    enum Outcome: Sendable { case ready, timedOut }

    private struct Waiter {
        let token: UInt64
        let fd: Int32
        let deadline: Deadline?
        let continuation: CheckedContinuation<Outcome, any Error>?
        let timer: (@Sendable () -> Void)?
    }

    private struct State {
        var nextToken: UInt64 = 1
        var byFD: [Int32: UInt64] = [:]
        var waiters: [UInt64: Waiter] = [:]
        var cancelledEarly: Set<UInt64> = []
        /// When the timerfd will fire; `nil` when it is not armed (or has fired). Invariant: no
        /// pending waiter has a deadline before it.
        var armedUntil: Deadline? = nil
    }

    private let epfd: Int32
    private let timerFD: Int32
    private let state = Locked(State())

    private init() {
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epfd >= 0, "epoll_create1 failed: errno \(errno)")
        // TFD_NONBLOCK and TFD_CLOEXEC are O_NONBLOCK and O_CLOEXEC (timerfd_create(2)).
        timerFD = timerfd_create(CLOCK_MONOTONIC, O_NONBLOCK | O_CLOEXEC)
        precondition(timerFD >= 0, "timerfd_create failed: errno \(errno)")
        var ev = epoll_event(events: UInt32(EPOLLIN.rawValue), data: epoll_data_t(fd: timerFD))
        precondition(epoll_ctl(epfd, EPOLL_CTL_ADD, timerFD, &ev) == 0)
        // A plain pthread (no Foundation `Thread`): the loop lives as long as the process.
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            Unmanaged<EventLoop>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, Unmanaged.passRetained(self).toOpaque())
        precondition(started == 0, "pthread_create failed: \(started)")
        pthread_detach(thread)
    }

    // MARK: registration of file descriptors

    /// Adds `fd` to the epoll set, disarmed. Call once per socket before `wait`.
    func register(_ fd: Int32) {
        var ev = epoll_event(events: UInt32(EPOLLONESHOT.rawValue), data: epoll_data_t(fd: fd))
        _ = epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)
    }

    /// Removes `fd` from the epoll set and fails any waiter on it. Call before `close(fd)`.
    func deregister(_ fd: Int32) {
        _ = epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nil)
        let waiter: Waiter? = state.withLock { s in
            guard let token = s.byFD.removeValue(forKey: fd) else { return nil }
            return s.waiters.removeValue(forKey: token)
        }
        waiter?.continuation?.resume(throwing: NetIOError(kind: .closed, stage: .read, evidence: "closed while waiting"))
    }

    // MARK: waiting

    /// Suspends until `fd` is ready for `interest`, or `deadline` passes. Throws `CancellationError`
    /// at once when the task is cancelled. Readiness may be spurious: retry the system call.
    func wait(for interest: Interest, on fd: Int32, until deadline: Deadline?) async throws -> Outcome {
        let token = state.withLock { s in
            defer { s.nextToken &+= 1 }
            return s.nextToken
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
                let cancelled = state.withLock { s -> Bool in
                    if s.cancelledEarly.remove(token) != nil { return true }
                    s.waiters[token] = Waiter(token: token, fd: fd, deadline: deadline,
                                              continuation: continuation, timer: nil)
                    if fd >= 0 { s.byFD[fd] = token }
                    armTimer(&s, for: deadline)
                    return false
                }
                if cancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                if fd < 0 { return }  // a plain sleep
                var ev = epoll_event(events: interest.events | UInt32(EPOLLONESHOT.rawValue),
                                     data: epoll_data_t(fd: fd))
                if epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) != 0 {
                    // Not registered (or closed): report ready so the caller's system call shows the error.
                    let w = state.withLock { s -> Waiter? in
                        s.byFD.removeValue(forKey: fd)
                        return s.waiters.removeValue(forKey: token)
                    }
                    w?.continuation?.resume(returning: .ready)
                }
            }
        } onCancel: {
            let w = state.withLock { s -> Waiter? in
                guard let w = s.waiters.removeValue(forKey: token) else {
                    s.cancelledEarly.insert(token)
                    return nil
                }
                if s.byFD[w.fd] == token { s.byFD.removeValue(forKey: w.fd) }
                return w
            }
            w?.continuation?.resume(throwing: CancellationError())
        }
    }

    /// Runs `action` once at `deadline` on the loop thread, unless cancelled with the returned token.
    @discardableResult
    func schedule(at deadline: Deadline, _ action: @escaping @Sendable () -> Void) -> UInt64 {
        state.withLock { s -> UInt64 in
            let token = s.nextToken
            s.nextToken &+= 1
            s.waiters[token] = Waiter(token: token, fd: -1, deadline: deadline, continuation: nil, timer: action)
            armTimer(&s, for: deadline)
            return token
        }
    }

    func cancelTimer(_ token: UInt64) {
        _ = state.withLock { $0.waiters.removeValue(forKey: token) }
    }

    /// Suspends until `deadline` (or cancellation).
    func sleep(until deadline: Deadline) async throws {
        _ = try await wait(for: .read, on: -1, until: deadline)
    }

    /// Arms the timerfd for `deadline` if it is earlier than what it is armed for. Under the lock,
    /// so the invariant on `armedUntil` holds for every waiter that lock has seen.
    private func armTimer(_ s: inout State, for deadline: Deadline?) {
        guard let deadline else { return }
        if let armed = s.armedUntil, armed <= deadline { return }
        let left = ContinuousClock.now.duration(to: deadline)
        var spec = itimerspec()
        if left > .zero {
            let (seconds, attoseconds) = left.components
            // Rounded up to the next nanosecond, so it never fires before the deadline.
            let nanoseconds = (attoseconds + 999_999_999) / 1_000_000_000
            spec.it_value = timespec(tv_sec: Int(seconds) + Int(nanoseconds / 1_000_000_000),
                                     tv_nsec: Int(nanoseconds % 1_000_000_000))
        } else {
            spec.it_value = timespec(tv_sec: 0, tv_nsec: 1)  // all zero would disarm it
        }
        _ = timerfd_settime(timerFD, 0, &spec, nil)
        s.armedUntil = deadline
    }

    // MARK: the loop thread

    private func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        while true {
            let n = epoll_wait(epfd, events, Int32(capacity), -1)
            var timerFired = false
            if n > 0 {
                for i in 0..<Int(n) where events[i].data.fd == timerFD { timerFired = true }
            }
            if timerFired {
                var expirations: UInt64 = 0
                _ = Glibc.read(timerFD, &expirations, MemoryLayout<UInt64>.size)
            }
            var ready: [Waiter] = []
            var fired: [Waiter] = []
            state.withLock { s in
                if n > 0 {
                    for i in 0..<Int(n) {
                        let fd = events[i].data.fd
                        if fd == timerFD { continue }
                        if let token = s.byFD.removeValue(forKey: fd), let w = s.waiters.removeValue(forKey: token) {
                            ready.append(w)
                        }
                    }
                }
                if timerFired { s.armedUntil = nil }
                let now = Deadline.now
                var earliest: Deadline? = nil
                for (token, w) in s.waiters {
                    guard let d = w.deadline else { continue }
                    if d <= now {
                        s.waiters.removeValue(forKey: token)
                        if w.fd >= 0, s.byFD[w.fd] == token { s.byFD.removeValue(forKey: w.fd) }
                        fired.append(w)
                    } else if earliest == nil || d < earliest! {
                        earliest = d
                    }
                }
                if let armed = s.armedUntil, armed <= now { s.armedUntil = nil }  // fires next round
                armTimer(&s, for: earliest)
            }
            for w in ready { w.continuation?.resume(returning: .ready) }
            for w in fired {
                if let timer = w.timer { timer() } else { w.continuation?.resume(returning: .timedOut) }
            }
        }
    }
}
