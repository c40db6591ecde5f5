import Foundation
import NetIO
import Glibc

/// A scripted TCP server on 127.0.0.1 for what no real server will do: hostile replies, injected
/// bytes, drops. It accepts a connection and plays its script (or one script per connection, in
/// turn); the first mismatch stops it and is reported with both sides, like go-smtp's transcript
/// tests.
public final class ScriptedPeer: Sendable {
    public enum Step: Sendable {
        /// Send these bytes as they are (no line end added).
        case sendRaw([UInt8])
        /// Send a line; CR LF is added.
        case send(String)
        /// Read one line and require it to equal this text (without CR LF).
        case expect(String)
        /// Read one line and require it to start with this text.
        case expectPrefix(String)
        /// Read and discard one line.
        case readLine
        /// Read until the peer closes, or the timeout.
        case readUntilClosed
        /// Wait.
        case sleep(Double)
        /// Close the connection now.
        case close
    }

    public let port: UInt16
    private let listenFD: Int32
    private let state = Locked<(log: [String], failure: String?, done: Bool)>(([], nil, false))

    /// Starts listening and plays `script` on the first connection accepted, in a thread.
    public convenience init(_ script: [Step], acceptTimeout: Double = 10) throws {
        try self.init(connections: [script], acceptTimeout: acceptTimeout)
    }

    /// Plays one script per connection on the same port, one connection after another: for what
    /// needs a reconnect (421 mid-session). `acceptTimeout` bounds the wait for each connection.
    public init(connections scripts: [[Step]], acceptTimeout: Double = 60) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &len) }
        }
        port = UInt16(bigEndian: addr.sin_port)
        listenFD = fd
        let thread = Thread { [self] in
            defer { state.withLock { $0.done = true } }
            for (n, script) in scripts.enumerated() {
                if scripts.count > 1 { record("=== connection \(n + 1)") }
                if !play(script, acceptTimeout: acceptTimeout) { return }
            }
        }
        thread.start()
    }

    deinit { close(listenFD) }

    /// What the peer saw and did (`S:` sent, `C:` received), and the first mismatch if any.
    public var log: [String] { state.withLock { $0.log } }
    public var failure: String? { state.withLock { $0.failure } }

    /// Waits (up to `timeout`) for the script to end; returns the mismatch, if any.
    public func finish(timeout: Double = 10) async -> String? {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if state.withLock({ $0.done }) { return failure }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return "script did not finish within \(timeout) s; log: \(log)"
    }

    private func record(_ s: String) { state.withLock { $0.log.append(s) } }

    /// Plays one script on the next connection; `false` when it stopped on a mismatch.
    private func play(_ script: [Step], acceptTimeout: Double) -> Bool {
        var pfd = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(acceptTimeout * 1000)) == 1 else { return fail("no client connected") }
        let conn = accept(listenFD, nil, nil)
        guard conn >= 0 else { return fail("accept failed") }
        defer { Glibc.close(conn) }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buffer: [UInt8] = []

        func readLine() -> String? {
            while true {
                if let i = buffer.firstIndex(of: 0x0A) {
                    var line = Array(buffer[..<i])
                    buffer.removeFirst(i + 1)
                    if line.last == 0x0D { line.removeLast() }
                    let s = String(decoding: line, as: UTF8.self)
                    record("C: \(s)")
                    return s
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = recv(conn, &chunk, chunk.count, 0)
                if n <= 0 { return nil }
                buffer.append(contentsOf: chunk[..<n])
            }
        }
        func sendAll(_ bytes: [UInt8]) {
            var off = 0
            while off < bytes.count {
                let n = bytes[off...].withUnsafeBytes { send(conn, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return }
                off += n
            }
        }
        for step in script {
            switch step {
            case .sendRaw(let bytes):
                record("S: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                sendAll(bytes)
            case .send(let line):
                record("S: \(line)")
                sendAll(Array((line + "\r\n").utf8))
            case .expect(let want):
                guard let got = readLine() else { return fail("expected \"\(want)\", connection closed") }
                if got != want { return fail("expected \"\(want)\", got \"\(got)\"") }
            case .expectPrefix(let want):
                guard let got = readLine() else { return fail("expected \"\(want)…\", connection closed") }
                if !got.hasPrefix(want) { return fail("expected \"\(want)…\", got \"\(got)\"") }
            case .readLine:
                guard readLine() != nil else { return fail("expected a line, connection closed") }
            case .readUntilClosed:
                var chunk = [UInt8](repeating: 0, count: 4096)
                while recv(conn, &chunk, chunk.count, 0) > 0 {}
            case .sleep(let s):
                usleep(UInt32(s * 1_000_000))
            case .close:
                record("S: <close>")
                return true
            }
        }
        return true
    }

    private func fail(_ message: String) -> Bool {
        state.withLock { $0.failure = message + "\n" + $0.log.joined(separator: "\n") }
        return false
    }
}

/// A listener that accepts TCP connections in the kernel but never answers (for read timeouts),
/// or, with `fillBacklog`, one whose accept queue is full so new connects hang (for connect timeouts).
public final class SilentListener: Sendable {
    public let port: UInt16
    private let fds: [Int32]

    public init(fillBacklog: Bool = false) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, listen(fd, fillBacklog ? 0 : 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &len) }
        }
        port = UInt16(bigEndian: addr.sin_port)
        var all = [fd]
        if fillBacklog {
            // Fill the accept queue (backlog 0 holds one) with connections nobody accepts.
            for _ in 0..<2 {
                let c = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                _ = withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(c, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                all.append(c)
            }
            usleep(100_000)
        }
        fds = all
    }

    deinit { for fd in fds { close(fd) } }
}

/// Open file descriptors of this process (`/proc/self/fd`).
public func openFileDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}
