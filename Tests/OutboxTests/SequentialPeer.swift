import Foundation
import Glibc
import NetIO
import TestSupport

/// Like `ScriptedPeer`, but plays one script per connection on the same port, one connection
/// after another: for what needs a reconnect (421 mid-session). Same steps, same log format.
/// (A copy of Tests/SMTPTests/SequentialPeer.swift: test targets cannot share internal helpers.)
final class SequentialPeer: Sendable {
    let port: UInt16
    private let listenFD: Int32
    private let state = Locked<(log: [String], failure: String?, done: Bool)>(([], nil, false))

    init(_ scripts: [[ScriptedPeer.Step]]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
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
                record("=== connection \(n + 1)")
                if !play(script) { return }
            }
        }
        thread.start()
    }

    deinit { close(listenFD) }

    var log: [String] { state.withLock { $0.log } }

    /// Waits for every script to end; returns the first mismatch, if any.
    func finish(timeout: Double = 10) async -> String? {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if state.withLock({ $0.done }) { return state.withLock { $0.failure } }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return "scripts did not finish within \(timeout) s; log: \(log)"
    }

    private func record(_ s: String) { state.withLock { $0.log.append(s) } }

    private func fail(_ message: String) -> Bool {
        state.withLock { $0.failure = message + "\n" + $0.log.joined(separator: "\n") }
        return false
    }

    /// Plays one script on the next connection; `false` on a mismatch.
    private func play(_ script: [ScriptedPeer.Step]) -> Bool {
        var pfd = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 60_000) == 1 else { return fail("no client connected") }
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
}

