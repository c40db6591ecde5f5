import Foundation
import Glibc
import NetIO
import TestSupport
import Testing

/// Deadlines, refusals, cancellation and framing against local listeners and scripted peers.
@Suite("Connection faults and framing", .serialized)
struct ConnectionFaultTests {
    let local = { (port: UInt16) in Endpoint(host: "127.0.0.1", port: port) }

    @Test func readTimesOutWithinItsDeadline() async throws {
        let listener = try SilentListener()
        let c = try await Connection.connect(to: local(listener.port), security: .plaintextUnsafe,
                                             timeouts: .uniform(.seconds(2)))
        await c.setStage(.greeting)
        let start = ContinuousClock.now
        await #expect {
            _ = try await c.readLine(timeout: .milliseconds(800))
        } throws: { error in
            let e = error as? NetIOError
            return e?.kind == .timeout && e?.stage == .greeting
        }
        let elapsed = start.duration(to: .now)
        #expect(elapsed >= .milliseconds(640) && elapsed <= .milliseconds(960), "took \(elapsed)")
        await c.close()
    }

    @Test func connectTimesOutWhenTheBacklogIsFull() async throws {
        let listener = try SilentListener(fillBacklog: true)
        let start = ContinuousClock.now
        await #expect {
            _ = try await Connection.connect(to: local(listener.port), security: .plaintextUnsafe,
                                             timeouts: .uniform(.milliseconds(700)))
        } throws: { error in
            let e = error as? NetIOError
            return e?.kind == .timeout && e?.stage == .connect && e?.attempts.count == 1
        }
        let elapsed = start.duration(to: .now)
        #expect(elapsed >= .milliseconds(560) && elapsed <= .milliseconds(840), "took \(elapsed)")
    }

    @Test func closedPortIsNamedConnectionRefused() async throws {
        let port = try closedPort()
        do {
            _ = try await Connection.connect(to: local(port), security: .plaintextUnsafe)
            Issue.record("connected to a closed port")
        } catch let error as NetIOError {
            #expect(error.kind == .refused)
            #expect(error.stage == .connect)
            #expect(error.description.contains("connection refused"))
            #expect(error.attempts.first?.address == "127.0.0.1:\(port)")
        }
    }

    @Test func namesUnderInvalidFailAtOnceWithoutDNS() async throws {
        // RFC 6761 §6.4: no name server is asked (this machine's resolver is not on 127.0.0.1).
        let start = ContinuousClock.now
        for host in ["smtp.shop.invalid", "INVALID", "mail.example.invalid."] {
            do {
                _ = try await Connection.connect(to: Endpoint(host: host, port: 587), security: .startTLS)
                Issue.record("connected to \(host)")
            } catch let error as NetIOError {
                #expect(error.kind == .dns)
                #expect(error.stage == .resolve)
                #expect(error.evidence?.contains("RFC 6761") == true)
            }
        }
        #expect(start.duration(to: .now) < .seconds(1))
    }

    @Test func everyResolvedAddressIsTriedAndReported() async throws {
        // "localhost" resolves to ::1 and 127.0.0.1 here; nothing listens on either.
        let port = try closedPort()
        do {
            _ = try await Connection.connect(to: Endpoint(host: "localhost", port: port), security: .plaintextUnsafe)
        } catch let error as NetIOError {
            #expect(error.kind == .refused)
            #expect(error.attempts.count >= 1)
            #expect(error.attempts.allSatisfy { $0.outcome == "connection refused" })
        }
    }

    @Test func cancellationClosesTheConnectionWithin100ms() async throws {
        let listener = try SilentListener()
        let c = try await Connection.connect(to: local(listener.port), security: .plaintextUnsafe)
        let task = Task { try await c.readLine(timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(200))
        let start = ContinuousClock.now
        task.cancel()
        let result = await task.result
        let elapsed = start.duration(to: .now)
        #expect(elapsed < .milliseconds(100), "took \(elapsed)")
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(await c.isOpen == false)
    }

    @Test func lineLongerThanTheMaximumIsRefused() async throws {
        let peer = try ScriptedPeer([.sendRaw(Array(repeating: UInt8(ascii: "a"), count: 10_000)), .sleep(1)])
        let c = try await Connection.connect(to: local(peer.port), security: .plaintextUnsafe)
        await #expect {
            _ = try await c.readLine(maxLength: 1_000, timeout: .seconds(3))
        } throws: { ($0 as? NetIOError)?.kind == .lineTooLong(limit: 1_000) }
        await c.close()
    }

    @Test func framingLinesAndExactCounts() async throws {
        let peer = try ScriptedPeer([.sendRaw(Array("* 1 FETCH {11}\r\nhello world)\r\nbare\nlast\r\n".utf8)), .close])
        let c = try await Connection.connect(to: local(peer.port), security: .plaintextUnsafe)
        #expect(try await c.readLineString() == "* 1 FETCH {11}")
        #expect(try await c.readExactly(11) == Array("hello world".utf8))
        #expect(try await c.readLineString() == ")")
        #expect(try await c.readLineString() == "bare")
        #expect(try await c.readLineString() == "last")
        await #expect { _ = try await c.readLine() } throws: { ($0 as? NetIOError)?.kind == .closedByPeer }
        await c.close()
    }

    /// After a bulk read, a read that would block lingers (SO_RCVLOWAT, `Connection.bulkLingerMilliseconds`)
    /// for more bytes: a short tail must still come at once, and silence must still time out at
    /// the read's deadline. The bounds are loose (the parallel suites can hold the cooperative pool
    /// for seconds); a lost wake-up would wait for the peer's close, 8 s later.
    @Test func aReadAfterABulkTransferGetsAShortTailAndKeepsItsDeadline() async throws {
        let peer = try ScriptedPeer([.sendRaw(Array(repeating: UInt8(ascii: "a"), count: 40_000)), .sleep(0.1),
                                     .sendRaw(Array("tail".utf8)), .sleep(8)])
        let c = try await Connection.connect(to: local(peer.port), security: .plaintextUnsafe)
        var bulk = 0
        for _ in 0..<100 where bulk < 40_000 {
            bulk += try await c.read(timeout: .seconds(3))?.count ?? 0
        }
        #expect(bulk == 40_000)
        let tailStart = ContinuousClock.now
        let tail = try await c.read(timeout: .seconds(10))
        #expect(tail == Array("tail".utf8))
        #expect(tailStart.duration(to: .now) < .seconds(5), "the 4-byte tail waited for more")
        let start = ContinuousClock.now
        await #expect {
            _ = try await c.read(timeout: .milliseconds(400))
        } throws: { ($0 as? NetIOError)?.kind == .timeout }
        let elapsed = start.duration(to: .now)
        #expect(elapsed >= .milliseconds(320) && elapsed < .seconds(5), "took \(elapsed)")
        await c.close()
    }

    /// `expectBulkTransfer` (an IMAP FETCH) makes reads that would block linger in poll(2) for
    /// `bulkLowWater` bytes, at most 1 ms each: small pieces still come each at once, lingers that
    /// keep timing out stop, silence still times out at the read's deadline, and cancelling a
    /// read closes the connection at once.
    @Test func anExpectedBulkTransferStillDeliversSmallPiecesKeepsItsDeadlineAndCancels() async throws {
        let peer = try ScriptedPeer([.sendRaw(Array("one".utf8)), .sleep(0.2), .sendRaw(Array("two".utf8)),
                                     .sleep(0.2), .sendRaw(Array("six".utf8)), .sleep(8)])
        let c = try await Connection.connect(to: local(peer.port), security: .plaintextUnsafe)
        await c.expectBulkTransfer()
        var got: [UInt8] = []
        let start = ContinuousClock.now
        for _ in 0..<10 where got.count < 9 {
            got += try await c.read(timeout: .seconds(5)) ?? []
        }
        #expect(got == Array("onetwosix".utf8))
        #expect(start.duration(to: .now) < .seconds(4), "a small piece waited for more")
        let silent = ContinuousClock.now
        await #expect {
            _ = try await c.read(timeout: .milliseconds(400))
        } throws: { ($0 as? NetIOError)?.kind == .timeout }
        let elapsed = silent.duration(to: .now)
        #expect(elapsed >= .milliseconds(320) && elapsed < .seconds(5), "took \(elapsed)")

        await c.expectBulkTransfer()
        let reader = Task { try await c.read(timeout: .seconds(20)) }
        try await Task.sleep(for: .milliseconds(100))
        let cancelled = ContinuousClock.now
        reader.cancel()
        await #expect(throws: CancellationError.self) { _ = try await reader.value }
        #expect(cancelled.duration(to: .now) < .seconds(5))
        #expect(await !c.isOpen, "a cancelled read closes the connection")
    }

    @Test func commandInjectionRefusedBeforeSending() async throws {
        let peer = try ScriptedPeer([.readUntilClosed])
        let c = try await Connection.connect(to: local(peer.port), security: .plaintextUnsafe)
        for bad in ["MAIL FROM:<a@b>\r\nDATA", "RCPT TO:<a@b>\nDATA", "NOOP\u{0}x"] {
            await #expect { try await c.writeLine(bad) } throws: { ($0 as? NetIOError)?.kind == .forbiddenCharacter }
        }
        await c.close()
        _ = await peer.finish()
        #expect(!peer.log.contains { $0.hasPrefix("C:") }, "nothing reached the server: \(peer.log)")
    }

    @Test func startTLSInjectionIsRefused() async throws {
        let peer = try ScriptedPeer([
            .send("220 fake.example ESMTP"),
            .expect("EHLO client.example"),
            .sendRaw(Array("250-fake.example\r\n250 STARTTLS\r\n".utf8)),
            .expect("STARTTLS"),
            .sendRaw(Array("220 2.0.0 Ready to start TLS\r\n250-injected\r\n250 AUTH PLAIN\r\n".utf8)),
            .sleep(0.5),
        ])
        let c = try await Connection.connect(to: local(peer.port), security: .startTLS)
        _ = try await c.readLine()
        try await c.writeLine("EHLO client.example")
        _ = try await c.readLine()
        _ = try await c.readLine()
        try await c.writeLine("STARTTLS")
        #expect(try await c.readLineString().hasPrefix("220 "))
        do {
            try await c.upgradeToTLS(.default)
            Issue.record("upgrade went ahead despite injected bytes")
        } catch let error as NetIOError {
            #expect(error.kind == .startTLSInjection)
            #expect(error.evidence?.contains("250-injected") == true)
        }
        #expect(await c.isOpen == false)
        #expect(await peer.finish() == nil)
    }

    /// Counts only this test's own sockets, so suites running in parallel in the same process
    /// (opening and closing their own descriptors) cannot make it flake: all 200 connections are
    /// opened first, the process's sockets connected to the echo port (no other test uses it) are
    /// recorded by inode, and after the echoes and closes none of those inodes is still open.
    @Test func twoHundredConcurrentConnectionsLeaveNoDescriptorOpen() async throws {
        let servers = try TestServers.load()
        let port = try servers.port("echo")
        #expect(OwnSockets.inodes(connectedTo: port).isEmpty, "echo sockets open before the test")
        let payload = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let connections = try await withThrowingTaskGroup(of: Connection.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await Connection.connect(to: Endpoint(host: "127.0.0.1", port: port),
                                                 security: .plaintextUnsafe, timeouts: .uniform(.seconds(30)))
                }
            }
            var all: [Connection] = []
            for try await c in group { all.append(c) }
            return all
        }
        let ours = OwnSockets.inodes(connectedTo: port)
        #expect(ours.count == 200, "found \(ours.count) sockets of this process connected to the echo port")
        let ok = try await withThrowingTaskGroup(of: Bool.self) { group in
            for c in connections {
                group.addTask {
                    try await c.write(payload)
                    let back = try await c.readExactly(payload.count)
                    await c.close()
                    return back == payload
                }
            }
            var all = true
            for try await one in group { all = all && one }
            return all
        }
        #expect(ok)
        let stillOpen = OwnSockets.openSocketInodes().intersection(ours)
        #expect(stillOpen.isEmpty, "\(stillOpen.count) of the 200 sockets are still open")
    }
}

/// This process's sockets, by inode (`/proc/self/fd/N -> socket:[inode]`), matched against the
/// kernel's TCP tables (`/proc/net/tcp`, `/proc/net/tcp6`) by remote port.
enum OwnSockets {
    /// Inodes of the sockets this process holds open.
    static func openSocketInodes() -> Set<UInt64> {
        var out = Set<UInt64>()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            var buffer = [CChar](repeating: 0, count: 128)
            let n = readlink("/proc/self/fd/\(name)", &buffer, buffer.count - 1)
            guard n > 0 else { continue }
            let target = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard target.hasPrefix("socket:["), let inode = UInt64(target.dropFirst(8).dropLast()) else { continue }
            out.insert(inode)
        }
        return out
    }

    /// A /proc file read to its end (its size is 0 to `stat`, so read until EOF).
    static func procFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        // Bounded: /proc/net/tcp of one test machine is far below 64 MiB.
        while all.count < 64 << 20 {
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { break }
            all += chunk[..<n]
        }
        return String(decoding: all, as: UTF8.self)
    }

    /// Inodes of this process's open TCP sockets whose remote port is `port`.
    static func inodes(connectedTo port: UInt16) -> Set<UInt64> {
        let remote = String(format: "%04X", port)
        var matching = Set<UInt64>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = procFile(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                guard f.count > 9, f[2].hasSuffix(":" + remote), let inode = UInt64(f[9]), inode != 0 else { continue }
                matching.insert(inode)
            }
        }
        return openSocketInodes().intersection(matching)
    }
}

/// A port with nothing listening: bind, read the port, close.
func closedPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return UInt16(bigEndian: addr.sin_port)
}
