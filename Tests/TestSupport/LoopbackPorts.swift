import Foundation
import Glibc

/// TCP ports on 127.0.0.1 for servers a test starts itself.
public enum LoopbackPorts {
    /// A TCP port on 127.0.0.1 nothing is bound to (bound, then closed). Another process may take
    /// it at any time: only for "a port nothing listens on", never for a server to bind later
    /// (servers bind port 0 and report theirs: `startReportingServer`).
    public static func freeTCP() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return LocalDNSServer.boundPort(fd)
    }

    /// How long a server a test starts may take to report the port it listens on (python3 and
    /// openssl start in well under a second, but this machine is shared and loaded).
    public static let reportTimeout: Duration = .seconds(15)
    static let reportPollMicroseconds: useconds_t = 10_000
    /// How much of the child's output a start failure quotes.
    static let quotedOutputLimit = 2_000

    /// Starts a TCP server that binds port 0 on 127.0.0.1 itself and reports the port on its
    /// stdout as a line `ACCEPT 127.0.0.1:PORT` (openssl s_server's own line); returns once that
    /// line is there, so the port is the child's and it listens. (Probing a port found free would
    /// not do: anything that took that port before the child bound it answers the probe too, and
    /// the test would talk to it.) `launch` starts the child with stdout and stderr going to the
    /// two files given (removed again on return; the child keeps writing to its descriptors).
    /// When the child exits first, or nothing is reported within `timeout` (the child is stopped
    /// then), throws what `failure` makes of the reason and the child's output.
    public static func startReportingServer(timeout: Duration = reportTimeout,
                                     failure: (_ reason: String) -> any Error,
                                     launch: (_ stdoutPath: String, _ stderrPath: String) throws -> ChildProcess)
        throws -> (port: UInt16, child: ChildProcess) {
        let base = NSTemporaryDirectory() + "server-\(getpid())-\(UUID().uuidString)"
        let stdoutPath = base + ".out", stderrPath = base + ".err"
        defer {
            unlink(stdoutPath)
            unlink(stderrPath)
        }
        let child = try launch(stdoutPath, stderrPath)
        let deadline = ContinuousClock.now + timeout
        while true {
            let output = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
            if let port = reportedPort(output) { return (port, child) }
            let said = { "stdout: \(quoted(output)); stderr: \(quoted((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""))" }
            if !child.isRunning {
                let status = child.waitForExit(timeout: .zero).map { String($0) } ?? "?"
                throw failure("\(child.executable) exited (wait status \(status)) before reporting its port; \(said())")
            }
            if ContinuousClock.now >= deadline {
                child.stop()
                throw failure("\(child.executable) reported no port within \(timeout); \(said())")
            }
            usleep(reportPollMicroseconds)
        }
    }

    /// The port of the first complete `ACCEPT 127.0.0.1:PORT` line of `output` (a line still
    /// being written could hold half a number).
    public static func reportedPort(_ output: String) -> UInt16? {
        guard let end = output.lastIndex(of: "\n") else { return nil }
        for line in output[..<end].split(separator: "\n") {
            let prefix = "ACCEPT 127.0.0.1:"
            if line.hasPrefix(prefix), let port = UInt16(line.dropFirst(prefix.count)), port != 0 { return port }
        }
        return nil
    }

    static func quoted(_ text: String) -> String {
        text.isEmpty ? "(nothing)" : "\"\(text.suffix(quotedOutputLimit))\""
    }
}
