import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` and reaped by this object, never by Foundation.
///
/// Why not Foundation's `Process` for servers a test starts: swift-corelibs-foundation learns
/// that a child ended from a socket pair the child inherits, and then calls a *blocking*
/// `waitpid` for it on its one process-manager thread. A daemon that closes the descriptors it
/// inherited (dnsmasq does at startup, even with `-k`) makes that socket say "ended" while the
/// daemon still runs: the manager thread then sits in `waitpid` until the daemon dies, and no
/// other `Process` of the test process is reaped in the meantime (every `waitUntilExit()` hangs,
/// the children stay zombies). That is how the full suite hung (issue 6).
///
/// Here: the child gets `/dev/null` (or a log file) as stdin/stdout/stderr unless told otherwise,
/// no other descriptor of the test process (`closefrom(3)`), an empty signal mask and default
/// signal dispositions (the runner's threads block most signals, and a child would inherit that
/// mask: SIGTERM would never arrive), and its own process group. Every wait has a deadline.
public final class ChildProcess: @unchecked Sendable {
    public let pid: Int32
    public let executable: String
    private let lock = NSLock()
    private var reapedStatus: Int32?

    /// Starts `executable` (an absolute path) with `arguments`. `stdoutPath` and `stderrPath`
    /// name files to append to (default `/dev/null`); `descriptors` maps child fds (0, 1, 2) to
    /// descriptors of this process to install there instead.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                stdoutPath: String = "/dev/null", stderrPath: String = "/dev/null",
                descriptors: [Int32: Int32] = [:]) throws {
        self.executable = executable
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let defaults: [(Int32, String, Int32)] = [(0, "/dev/null", O_RDONLY),
                                                  (1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND),
                                                  (2, stderrPath, O_WRONLY | O_CREAT | O_APPEND)]
        for (fd, path, flags) in defaults {
            if let source = descriptors[fd] {
                posix_spawn_file_actions_adddup2(&actions, source, fd)
            } else {
                posix_spawn_file_actions_addopen(&actions, fd, path, flags, 0o644)
            }
        }
        // Nothing else of the test process (listening sockets, other tests' pipes) leaks into it.
        if let closeFrom = Self.addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            for fd in Self.openDescriptors() where fd > 2 && !descriptors.values.contains(fd) {
                posix_spawn_file_actions_addclose(&actions, fd)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var reset = sigset_t()
        sigemptyset(&reset)
        for sig in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2] { sigaddset(&reset, sig) }
        posix_spawnattr_setsigdefault(&attributes, &reset)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let env = environment ?? ProcessInfo.processInfo.environment
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in envp { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw SpawnFailure(description: "posix_spawn \(executable): \(String(cString: strerror(rc)))") }
        pid = child
    }

    /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np` (declared only under _GNU_SOURCE,
    /// which Swift's Glibc module does not set, hence looked up at run time).
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// The open descriptors of this process (the fallback without closefrom).
    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    public struct SpawnFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reaps the child if it has ended (never blocks); its wait status, or nil while it runs.
    private func reap() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let reapedStatus { return reapedStatus }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid || (r < 0 && errno == ECHILD) {
            reapedStatus = r == pid ? status : -1
            return reapedStatus
        }
        return nil
    }

    public var isRunning: Bool { reap() == nil }

    /// Waits (polling, at most `timeout`) for the child to end; its wait status, or nil if it still runs.
    @discardableResult
    public func waitForExit(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = reap() { return status }
            if ContinuousClock.now >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// The exit code if the child exited normally.
    public static func exitCode(_ status: Int32) -> Int32? {
        status >= 0 && status & 0x7f == 0 ? (status >> 8) & 0xff : nil
    }

    /// Ends the child and its process group: SIGTERM, then SIGKILL after `grace`; returns once it
    /// is reaped (bounded: SIGKILL cannot be caught). Idempotent.
    @discardableResult
    public func stop(grace: Duration = .seconds(2)) -> Int32? {
        if let status = reap() { return status }
        kill(-pid, SIGTERM)
        kill(pid, SIGTERM)
        if let status = waitForExit(timeout: grace) { return status }
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        return waitForExit(timeout: .seconds(5))
    }

    deinit { stop() }
}

/// Runs blocking work (starting a server and waiting until it answers, a bounded poll) on a
/// thread of its own, so it never holds one of the two threads of Swift's cooperative pool on
/// this machine while it waits (see `run`).
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
