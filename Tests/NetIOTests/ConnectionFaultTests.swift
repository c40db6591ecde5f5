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

    @Test func twoHundredConcurrentConnectionsLeaveNoDescriptorOpen() async throws {
        let servers = try TestServers.load()
        let port = try servers.port("echo")
        #expect(socketsOfThisProcess(toPort: port).isEmpty)
        // The detector sees an open connection (so an empty answer at the end means something).
        let probe = try await Connection.connect(to: Endpoint(host: "127.0.0.1", port: port),
                                                 security: .plaintextUnsafe, timeouts: .uniform(.seconds(30)))
        #expect(socketsOfThisProcess(toPort: port).count == 1)
        await probe.close()
        let payload = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let ok = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    let c = try await Connection.connect(to: Endpoint(host: "127.0.0.1", port: port),
                                                         security: .plaintextUnsafe, timeouts: .uniform(.seconds(30)))
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
        // Only this test talks to the echo server, so any descriptor of this process still
        // pointing at a TCP socket connected to it is a leak, whatever other suites open meanwhile.
        let left = socketsOfThisProcess(toPort: port)
        #expect(left.isEmpty, "descriptors still open to the echo server: \(left)")
    }
}

/// The descriptors of this process that are TCP sockets whose remote port is `port`, read from
/// /proc/self/fd (socket inodes) and /proc/net/tcp and tcp6 (each socket's inode and remote port).
func socketsOfThisProcess(toPort port: UInt16) -> [String] {
    var inodesToPort = Set<String>()
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        // /proc files report size 0, so read to end of file rather than by the size.
        guard let data = FileHandle(forReadingAtPath: table)?.readDataToEndOfFile() else { continue }
        let text = String(decoding: data, as: UTF8.self)
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9, let remote = fields[2].split(separator: ":").last,
                  UInt16(remote, radix: 16) == port else { continue }
            inodesToPort.insert(String(fields[9]))
        }
    }
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return fds.compactMap { fd in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"),
              target.hasPrefix("socket:["), inodesToPort.contains(String(target.dropFirst(8).dropLast())) else { return nil }
        return "fd \(fd) → \(target)"
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
