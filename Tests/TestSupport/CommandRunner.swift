import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program and returns its exit status and output.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// A program that did not end within its deadline (it was killed; what it printed is kept).
public struct CommandTimeout: Error, CustomStringConvertible {
    public let executable: String
    public let arguments: [String]
    public let timeout: Duration
    public let stdout: String
    public let stderr: String
    public var description: String {
        "\(executable) \(arguments.joined(separator: " ")) did not end within \(timeout) and was killed\n"
            + "stdout: \(stdout)\nstderr: \(stderr)"
    }
}

/// Runs a program and returns its exit status and output, without holding a thread of Swift's
/// cooperative pool while it runs: the waiting happens on a thread of its own. (On this 2-core
/// machine the pool has two threads; two tests blocked waiting for a child would stall every
/// other test's tasks, and the deadline tests would see seconds of extra delay.) A program still
/// running after `timeout` is killed and `CommandTimeout` is thrown.
public func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                timeout: Duration = .seconds(120)) async throws -> CommandResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result {
                try runBlocking(executable, arguments, environment: environment, timeout: timeout)
            })
        }
    }
}

/// The blocking form of `run`, for synchronous callers that are not on the cooperative pool.
/// The child is a `ChildProcess` (not Foundation's `Process`, see there); stdout and stderr are
/// read together with `poll`, so a chatty child never blocks on a full pipe, and every wait
/// (output, exit) ends at the deadline.
public func runBlocking(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                        timeout: Duration = .seconds(120)) throws -> CommandResult {
    let deadline = ContinuousClock.now + timeout
    var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
    guard pipe(&out) == 0 else { throw ChildProcess.SpawnFailure(description: "pipe: \(errno)") }
    guard pipe(&err) == 0 else {
        close(out[0]); close(out[1])
        throw ChildProcess.SpawnFailure(description: "pipe: \(errno)")
    }
    // Close-on-exec: a child another thread spawns meanwhile does not keep these open.
    for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    let child: ChildProcess
    do {
        child = try ChildProcess(executable, arguments, environment: environment, descriptors: [1: out[1], 2: err[1]])
    } catch {
        for fd in out + err { close(fd) }
        throw error
    }
    close(out[1])
    close(err[1])
    defer { close(out[0]); close(err[0]) }

    var outData = Data(), errData = Data()
    var open: [Int32: Bool] = [out[0]: true, err[0]: true]
    var buffer = [UInt8](repeating: 0, count: 65536)
    var timedOut = false
    while open.values.contains(true) {
        let now = ContinuousClock.now
        if now >= deadline { timedOut = true; break }
        let left = deadline - now
        let ms = Int32(min(1000, max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
        var fds = open.filter(\.value).map { pollfd(fd: $0.key, events: Int16(POLLIN), revents: 0) }
        let ready = poll(&fds, nfds_t(fds.count), ms)
        if ready < 0 && errno != EINTR { break }
        for p in fds where p.revents != 0 {
            let n = read(p.fd, &buffer, buffer.count)
            if n > 0 {
                if p.fd == out[0] { outData.append(contentsOf: buffer[..<n]) } else { errData.append(contentsOf: buffer[..<n]) }
            } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                open[p.fd] = false
            }
        }
    }
    let left = deadline - ContinuousClock.now
    let status = timedOut ? nil : child.waitForExit(timeout: max(left, .milliseconds(1)))
    let stdout = String(decoding: outData, as: UTF8.self), stderr = String(decoding: errData, as: UTF8.self)
    guard let status else {
        child.stop(grace: .milliseconds(200))
        throw CommandTimeout(executable: executable, arguments: arguments, timeout: timeout, stdout: stdout, stderr: stderr)
    }
    // A signal's number stands in for the exit code (as Foundation's terminationStatus does).
    let code = ChildProcess.exitCode(status) ?? (status & 0x7f)
    return CommandResult(status: code, stdout: stdout, stderr: stderr)
}

/// The built `mailprobe`, next to the test bundle in the build folder.
public func mailprobePath() -> String {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("mailprobe").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return ".build/debug/mailprobe"
}
