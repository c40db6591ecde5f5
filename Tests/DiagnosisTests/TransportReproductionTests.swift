import Foundation
import Glibc
import NetIO
import TestSupport
import Testing
@testable import Diagnosis

/// The transport, TLS and DNS entries reproduced for real on 127.0.0.1 through the Test button
/// (`AccountProbe`) or the candidate probe (`PortProbe`), each asserting its catalogue id: a
/// closed port, a full accept queue (Linux drops the SYN, so connect times out), a broadcast
/// address (the kernel refuses at once: no route), a listener that resets, names under `.invalid`
/// (RFC 6761 §6.4: answered by the resolver without DNS), and `openssl s_server` with the
/// certificates `scripts/make-certs` makes. Serialized: each `s_server` serves one connection at
/// a time, and the well-known-port tests share ports 25 and 465.
@Suite(.serialized) struct TransportReproductionTests {
    let servers: TestServers

    init() throws { servers = try TestServers.load() }

    static let options = AccountProbe.Options(timeout: .seconds(3), greetingTimeout: .milliseconds(600),
                                              tlsProbeTimeout: .milliseconds(300), clientName: "probe.test")

    /// The SMTP probe of one server, and its first failed stage.
    func probe(_ s: ServerSettings, sender: String = "shop@example.net", options: AccountProbe.Options = Self.options)
        async -> (StageReport?, AccountReport)
    {
        let r = await AccountProbe(account: MailAccount(smtp: s, identity: SenderIdentity(address: sender)), options: options).run()
        return (r.smtp.first { $0.status == .failed }, r)
    }

    func smtp(_ host: String, _ port: UInt16, _ security: Security, user: String = "shop@example.net",
              caFile: String? = nil) -> ServerSettings {
        ServerSettings(protocol: .smtp, host: host, port: port, security: security,
                       credentials: .password(user: user, password: "pw-never-sent"), caFile: caFile)
    }

    // MARK: DNS

    @Test func nameUnderInvalidIsNotFound() async throws {
        let (f, r) = await probe(smtp("smtp.shop.invalid", 587, .startTLS))
        #expect(f?.name == "DNS")
        #expect(f?.diagnosis?.id == "network.dns-not-found", "\(r.json())")
        #expect(f?.diagnosis?.cause.contains("smtp.shop.invalid") == true)
        #expect(f?.diagnosis?.evidence.contains("not sent to DNS") == true, "answered without asking a name server")
    }

    // MARK: TCP

    @Test func closedPortIsRefused() async throws {
        let (f, r) = await probe(smtp("127.0.0.1", LiveReproductionTests.closedPort(), .implicitTLS))
        #expect(f?.name == "connect")
        #expect(f?.diagnosis?.id == "network.connection-refused", "\(r.json())")
    }

    @Test func fullAcceptQueueIsAConnectTimeout() async throws {
        let listener = try SilentListener(fillBacklog: true)
        var options = Self.options
        options.timeout = .milliseconds(700)
        let start = ContinuousClock.now
        let (f, r) = await probe(smtp("127.0.0.1", listener.port, .startTLS), options: options)
        #expect(f?.name == "connect")
        #expect(f?.diagnosis?.id == "network.connect-timeout", "\(r.json())")
        // The probe's 0.7 s deadline, not the kernel's two minutes of SYN retries (the deadline's
        // precision is NetIO's ConnectionFaultTests, run on their own: a busy machine delays
        // this one by seconds).
        #expect(start.duration(to: .now) < .seconds(60))
        withExtendedLifetime(listener) {}
    }

    /// Port 25 with a full accept queue: the silent drop a network that blocks port 25 does.
    @Test(.enabled(if: WellKnownListener.canBind(25), "port 25 of 127.0.0.1 is in use or not ours to bind"))
    func silentPort25IsBlockedPort25() async throws {
        let listener = try WellKnownListener(port: 25, fillBacklog: true)
        var options = Self.options
        options.timeout = .milliseconds(700)
        let (f, r) = await probe(smtp("127.0.0.1", 25, .startTLS), options: options)
        #expect(f?.diagnosis?.id == "network.port25-blocked", "\(r.json())")
        withExtendedLifetime(listener) {}
    }

    /// The limited broadcast address: TCP cannot connect there (Linux answers ENETUNREACH at once;
    /// nothing leaves the machine).
    @Test func broadcastAddressIsUnreachable() async throws {
        let (f, r) = await probe(smtp("255.255.255.255", 587, .startTLS))
        #expect(f?.name == "connect")
        #expect(f?.diagnosis?.id == "network.unreachable", "\(r.json())")
    }

    /// A listener that accepts and closes with SO_LINGER 0: the kernel sends a real RST, while the
    /// client waits for the greeting (after 200 ms) or while it is still connecting (at once).
    @Test(arguments: [UInt32(200_000), 0])
    func resetConnectionIsNamed(delay: UInt32) async throws {
        let listener = try WellKnownListener(port: 0, resetOnAccept: true, resetDelay: delay)
        let (f, r) = await probe(smtp("127.0.0.1", listener.port, .startTLS))
        #expect(f?.diagnosis?.id == "network.connection-reset", "\(r.json())")
        withExtendedLifetime(listener) {}
    }

    // MARK: ports

    /// Port 465 that accepts and stays silent, even to a TLS ClientHello (a firewall or a dead
    /// TLS service), with STARTTLS configured: named after the short greeting wait.
    @Test(.enabled(if: WellKnownListener.canBind(465), "port 465 of 127.0.0.1 is in use or not ours to bind"))
    func silentPort465NeedsSSL() async throws {
        let listener = try WellKnownListener(port: 465)
        var options = Self.options
        options.timeout = .seconds(30)
        let start = ContinuousClock.now
        let (f, r) = await probe(smtp("127.0.0.1", 465, .startTLS), options: options)
        #expect(f?.name == "greeting")
        #expect(f?.diagnosis?.id == "port.silent-implicit-tls-port", "\(r.json())")
        // 0.6 s greeting wait + 0.3 s TLS-probe wait (more on a busy machine), not the 30 s timeout.
        #expect(start.duration(to: .now) < .seconds(25), "greeting wait + TLS-probe wait, not the full timeout")
        withExtendedLifetime(listener) {}
    }

    /// iCloud has no port 465: with the server given as an IP address, the login's domain names
    /// the provider, and the refused connection on 465 is explained as such.
    @Test(.enabled(if: WellKnownListener.isClosed(465), "something listens on port 465 of 127.0.0.1"))
    func providerWithout465() async throws {
        let (f, r) = await probe(smtp("127.0.0.1", 465, .implicitTLS, user: "shop@icloud.com"), sender: "shop@icloud.com")
        #expect(f?.name == "connect")
        #expect(f?.diagnosis?.id == "port.provider-has-no-465", "\(r.json())")
    }

    /// A server that answers the ClientHello with a record OpenSSL cannot read (`wrong version
    /// number`), scripted: no local server sends a malformed record header.
    @Test func unreadableTLSRecordIsTheOpenSSLPortMixUp() async throws {
        let peer = try ScriptedPeer([.readLine, .sendRaw([0x16, 0x00, 0x00, 0x00, 0x05, 0x48, 0x45, 0x4C, 0x4C, 0x4F]), .sleep(0.5)],
                                    acceptTimeout: 5)
        let (f, r) = await probe(smtp("127.0.0.1", peer.port, .implicitTLS))
        #expect(f?.name == "TLS")
        #expect(f?.diagnosis?.id == "port.implicit-tls-on-starttls-port-openssl", "\(r.json())")
        _ = await peer.finish(timeout: 2)
    }

    // MARK: certificates and handshakes (openssl s_server)

    @Test(arguments: [
        ("tls_notyet_diag", true, "tls.clock-behind"),
        ("tls_good_diag", false, "tls.untrusted-root"),       // the chain ends in the test CA, not in the system store
        ("tls_leafonly_diag", false, "tls.unknown-issuer"),   // no intermediate sent, issuer not in the system store
        ("tls_purpose_diag", true, "tls.untrusted"),          // a client-only certificate (unsupported purpose)
        ("tls_nocipher_diag", true, "tls.handshake-failed"),  // TLS 1.3 with only a cipher suite clients do not offer
    ])
    func certificateProblemThroughTheProbe(server: String, trustTestCA: Bool, id: String) async throws {
        // (Expired, self-signed and wrong-name certificates: LiveReproductionTests and
        // AccountProbeTests, on the s_servers they share; these s_servers are this suite's own.)
        let s = smtp("localhost", try servers.port(server), .implicitTLS, caFile: trustTestCA ? servers.tls("ca.crt") : nil)
        var options = Self.options
        options.timeout = .seconds(8)
        let (f, r) = await probe(s, options: options)
        #expect(f?.name == "TLS")
        #expect(f?.diagnosis?.id == id, "\(server): \(f?.diagnosis?.id ?? "none") \(f?.detail ?? "")\n\(r.json())")
        #expect(r.smtp.first { $0.name == "AUTH" }?.status == .skipped, "no password to an unverified server")
    }

    /// A pinned fingerprint that is not the server's (the candidate probe takes `TLSOptions`).
    @Test func pinMismatch() async throws {
        let c = ServerCandidate(protocol: .smtp, host: "localhost", port: try servers.port("tls_good_diag"), security: .implicitTLS,
                                source: .guess)
        let r = await PortProbe.run(c, tls: TLSOptions(trust: .pinnedSHA256([String(repeating: "00", count: 32)])),
                                    timeout: .seconds(8), greetingTimeout: .milliseconds(600))
        #expect(r.diagnosis?.id == "tls.pin-mismatch", "\(r.diagnosis?.id ?? "none") \(r.evidence?.quotedEvidence ?? "")")
    }
}

/// A listener on a chosen port of 127.0.0.1 (0: any): silent (accepts in the kernel, never
/// answers), with a full accept queue (connects time out), or resetting each connection.
final class WellKnownListener: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let extra: [Int32]
    private let done = Locked(false)

    static func address(_ port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        return addr
    }

    /// Whether this process may listen on `port` of 127.0.0.1 now.
    static func canBind(_ port: UInt16) -> Bool { (try? WellKnownListener(port: port)) != nil }

    /// Whether nothing listens on `port` of 127.0.0.1 (a connect is refused).
    static func isClosed(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var addr = address(port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc != 0 && errno == ECONNREFUSED
    }

    /// `resetOnAccept`: each connection is reset after `resetDelay` microseconds.
    init(port: UInt16, fillBacklog: Bool = false, resetOnAccept: Bool = false, resetDelay: UInt32 = 200_000) throws {
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = Self.address(port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, listen(sock, fillBacklog ? 0 : 16) == 0 else {
            Glibc.close(sock)
            throw POSIXError(.EADDRINUSE)
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(sock, $0, &len) }
        }
        var queued: [Int32] = []
        if fillBacklog {
            // Backlog 0 holds one connection; fill it with connections nobody accepts.
            for _ in 0..<2 {
                let c = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                _ = withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(c, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                queued.append(c)
            }
            usleep(100_000)
        }
        fd = sock
        extra = queued
        self.port = UInt16(bigEndian: addr.sin_port)
        if resetOnAccept {
            let done = self.done
            Thread.detachNewThread {
                // Bounded: at most 20 connections, and the loop ends when the listener closes.
                for _ in 0..<20 where !done.withLock({ $0 }) {
                    let c = accept(sock, nil, nil)
                    if c < 0 { return }
                    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                    setsockopt(c, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                    usleep(resetDelay)
                    Glibc.close(c)
                }
            }
        }
    }

    deinit {
        done.withLock { $0 = true }
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
        for c in extra { Glibc.close(c) }
    }
}
