import Glibc
internal import CSystemShim

/// One epoll thread that resumes tasks waiting for a socket to become readable or writable, or for
/// a deadline. No thread is parked per connection; tasks suspend on continuations.
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
        /// When the loop thread will wake by itself, so a new earlier deadline knows to wake it.
        var sleepingUntil: Deadline? = nil
        var sleeping = false
    }

    private let epfd: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let state = Locked(State())

    private init() {
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epfd >= 0, "epoll_create1 failed: errno \(errno)")
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "pipe failed: errno \(errno)")
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        var ev = epoll_event(events: UInt32(EPOLLIN.rawValue), data: epoll_data_t(fd: wakeRead))
        precondition(epoll_ctl(epfd, EPOLL_CTL_ADD, wakeRead, &ev) == 0)
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
                let (cancelled, wake) = state.withLock { s -> (Bool, Bool) in
                    if s.cancelledEarly.remove(token) != nil { return (true, false) }
                    s.waiters[token] = Waiter(token: token, fd: fd, deadline: deadline,
                                              continuation: continuation, timer: nil)
                    if fd >= 0 { s.byFD[fd] = token }
                    return (false, needsWake(s, for: deadline))
                }
                if cancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                if fd < 0 {  // a plain sleep
                    if wake { wakeUp() }
                    return
                }
                var ev = epoll_event(events: interest.events | UInt32(EPOLLONESHOT.rawValue),
                                     data: epoll_data_t(fd: fd))
                if epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) != 0 {
                    // Not registered (or closed): report ready so the caller's system call shows the error.
                    let w = state.withLock { s -> Waiter? in
                        s.byFD.removeValue(forKey: fd)
                        return s.waiters.removeValue(forKey: token)
                    }
                    w?.continuation?.resume(returning: .ready)
                    return
                }
                if wake { wakeUp() }
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
        let (token, wake) = state.withLock { s -> (UInt64, Bool) in
            let token = s.nextToken
            s.nextToken &+= 1
            s.waiters[token] = Waiter(token: token, fd: -1, deadline: deadline, continuation: nil, timer: action)
            return (token, needsWake(s, for: deadline))
        }
        if wake { wakeUp() }
        return token
    }

    func cancelTimer(_ token: UInt64) {
        _ = state.withLock { $0.waiters.removeValue(forKey: token) }
    }

    /// Suspends until `deadline` (or cancellation).
    func sleep(until deadline: Deadline) async throws {
        _ = try await wait(for: .read, on: -1, until: deadline)
    }

    private func needsWake(_ s: State, for deadline: Deadline?) -> Bool {
        guard s.sleeping, let deadline else { return false }
        guard let until = s.sleepingUntil else { return true }
        return deadline < until
    }

    private func wakeUp() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    // MARK: the loop thread

    private func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        var drain = [UInt8](repeating: 0, count: 64)
        while true {
            let timeout: Int32 = state.withLock { s in
                var earliest: Deadline? = nil
                for w in s.waiters.values {
                    if let d = w.deadline, earliest == nil || d < earliest! { earliest = d }
                }
                s.sleeping = true
                s.sleepingUntil = earliest
                return earliest?.millisecondsLeft ?? -1
            }
            let n = epoll_wait(epfd, events, Int32(capacity), timeout)
            var ready: [Waiter] = []
            var fired: [Waiter] = []
            state.withLock { s in
                s.sleeping = false
                if n > 0 {
                    for i in 0..<Int(n) {
                        let fd = events[i].data.fd
                        if fd == wakeRead { continue }
                        if let token = s.byFD.removeValue(forKey: fd), let w = s.waiters.removeValue(forKey: token) {
                            ready.append(w)
                        }
                    }
                }
                let now = Deadline.now
                for (token, w) in s.waiters {
                    if let d = w.deadline, d <= now {
                        s.waiters.removeValue(forKey: token)
                        if w.fd >= 0, s.byFD[w.fd] == token { s.byFD.removeValue(forKey: w.fd) }
                        fired.append(w)
                    }
                }
            }
            if n > 0 {
                for i in 0..<Int(n) where events[i].data.fd == wakeRead {
                    while Glibc.read(wakeRead, &drain, drain.count) > 0 {}
                }
            }
            for w in ready { w.continuation?.resume(returning: .ready) }
            for w in fired {
                if let timer = w.timer { timer() } else { w.continuation?.resume(returning: .timedOut) }
            }
        }
    }
}
