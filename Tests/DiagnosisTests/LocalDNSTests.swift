import Testing
import Foundation
import NetIO
import TestSupport
@testable import Diagnosis

extension LocalDNSServer {
    /// The server as `SystemDNSResolver` takes it.
    var nameserver: DNSNameserver { DNSNameserver(address: "127.0.0.1", port: port) }
}

/// `SystemDNSResolver` and `SettingsDetector` against dnsmasq on 127.0.0.1, with SRV records
/// pointing at the real Postfix and Dovecot of scripts/servers. Every resolver here is given
/// the 127.0.0.1 nameserver explicitly: no query ever goes to /etc/resolv.conf's server.
@Suite(.serialized) struct LocalDNSTests {
    let servers: TestServers
    let tls: TLSOptions
    let dns: LocalDNSServer
    let resolver: SystemDNSResolver

    init() async throws {
        servers = try TestServers.load()
        tls = TLSOptions(trust: .caFile(servers.tls("ca.crt")))
        let submissions = try servers.port("submissions"), submission = try servers.port("submission")
        let imaps = try servers.port("imaps")
        dns = try await LocalDNSServer.start(records: [
            // shop.test: RFC 6186 records for the real servers; IMAP on 143 explicitly not offered.
            "--srv-host=_submissions._tcp.shop.test,localhost,\(submissions),0,0",
            "--srv-host=_submission._tcp.shop.test,localhost,\(submission),0,0",
            "--srv-host=_imaps._tcp.shop.test,localhost,\(imaps),0,0",
            "--srv-host=_imap._tcp.shop.test",
            "--mx-host=shop.test,mx2.shop.test,20",
            "--mx-host=shop.test,mx1.shop.test,10",
            // order.test: RFC 2782 ordering.
            "--srv-host=_imaps._tcp.order.test,c.order.test,993,20,0",
            "--srv-host=_imaps._tcp.order.test,b.order.test,993,10,5",
            "--srv-host=_imaps._tcp.order.test,a.order.test,993,10,60",
            // hosted.test: only an MX at a provider (an injected preset).
            "--mx-host=hosted.test,in1.mx.provider.test,10",
        ])
        resolver = SystemDNSResolver(nameserver: dns.nameserver, timeout: .seconds(2))
    }

    @Test func srvAnswersFromARealServer() async throws {
        let records = try await resolver.srv("_submissions._tcp.shop.test")
        #expect(records == [SRVRecord(priority: 0, weight: 0, port: try servers.port("submissions"), target: "localhost")])
        #expect(try await resolver.srv("_submissions._tcp.SHOP.test.") == records, "case and the trailing dot do not matter")
        let none = try await resolver.srv("_imap._tcp.shop.test")
        #expect(none.map(\.target) == ["."], "RFC 2782: the target . means the service is not offered")
    }

    @Test func srvIsOrderedByPriorityThenWeight() async throws {
        let records = try await resolver.srv("_imaps._tcp.order.test")
        #expect(records.map(\.target) == ["a.order.test", "b.order.test", "c.order.test"])
        #expect(records.map(\.priority) == [10, 10, 20])
    }

    @Test func mxLowestPreferenceFirst() async throws {
        #expect(try await resolver.mx("shop.test") == ["mx1.shop.test", "mx2.shop.test"])
    }

    @Test func nxdomainIsAnEmptyAnswer() async throws {
        #expect(try await resolver.srv("_imaps._tcp.nowhere.test") == [])
        #expect(try await resolver.mx("nowhere.test") == [])
        #expect(try await resolver.srv("_submission._tcp.hosted.test") == [], "the name exists, no SRV: empty")
    }

    @Test func refusedIsAnError() async throws {
        // dnsmasq has no upstream, so a name outside `test` is REFUSED (never forwarded).
        let error = await #expect(throws: DNSError.self) { try await resolver.mx("example.invalid") }
        #expect(error?.kind == .serverFailure(rcode: 5))
        #expect(error?.description.contains("REFUSED") == true, "\(String(describing: error))")
    }

    @Test func invalidNamesAreRefusedBeforeSending() async throws {
        for name in ["", "bad\r\nname.test", "sp ace.test", String(repeating: "a.", count: 140) + "test"] {
            let error = await #expect(throws: DNSError.self) { try await resolver.mx(name) }
            #expect(error?.kind == .invalidName, "\(name.debugDescription)")
        }
    }

    /// Only loopback: the autoconfig URLs 404 on a local HTTP server, no ISPDB, no guessing.
    func options(_ http: LocalHTTPServer) -> DetectionOptions {
        DetectionOptions(autoconfigTemplates: ["\(http.base)/{domain}/config-v1.1.xml"], ispdbBase: nil,
                         guessWhenNothingWorks: false)
    }

    @Test func detectorFindsTheServersBySRV() async throws {
        let http = try await LocalHTTPServer.start(files: [:])
        let detector = SettingsDetector(options: options(http), dns: resolver, tls: tls, timeout: .seconds(8),
                                        greetingTimeout: .seconds(5))
        let result = try #require(await detector.detect(address: "till@shop.test"))
        #expect(result.source == .srv("_submissions._tcp.shop.test"), "\(result.log)")
        #expect(result.smtp.count == 2 && result.imap.count == 1, "the \".\" target for _imap means no service")
        let smtp = try #require(result.bestSMTP)
        #expect(smtp.candidate.port == (try servers.port("submissions")) && smtp.candidate.security == .implicitTLS)
        #expect(smtp.verdict == .works)
        #expect(smtp.candidate.needsConfirmation, "localhost is outside shop.test")
        #expect(result.smtp.contains { $0.candidate.port == (try? servers.port("submission")) && $0.verdict == .works })
        let imap = try #require(result.bestIMAP)
        #expect(imap.candidate.port == (try servers.port("imaps")) && imap.verdict == .works)
        #expect(imap.candidate.source == .srv("_imaps._tcp.shop.test"))
    }

    @Test func detectorFollowsTheMXToAnInjectedPreset() async throws {
        let http = try await LocalHTTPServer.start(files: [:])
        var opts = options(http)
        opts.presets = [try .local(servers, mxSuffixes: ["mx.provider.test"])]
        let detector = SettingsDetector(options: opts, dns: resolver, tls: tls, timeout: .seconds(8), greetingTimeout: .seconds(5))
        let result = try #require(await detector.detect(address: "till@hosted.test"))
        #expect(result.source == .preset(.fastmail), "\(result.log)")
        #expect(result.log.contains("DNS MX hosted.test: in1.mx.provider.test"), "\(result.log)")
        #expect(result.notes == ["Use an app password."])
        #expect(result.bestSMTP?.verdict == .works && result.bestIMAP?.verdict == .works)
        #expect(result.bestIMAP?.candidate.username == "till")
    }

    /// The cause of the suite's hang (issue 6): dnsmasq closes the descriptors it inherits, so
    /// started through Foundation's `Process` it blocked Foundation's process-manager thread in
    /// `waitpid` and no other child of the test process was reaped while it ran. Started as a
    /// `ChildProcess`, a `Process` run meanwhile ends normally.
    @Test func otherChildrenAreReapedWhileDNSRuns() async throws {
        #expect(dns.isRunning)
        let done = ReapFlag()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        Thread.detachNewThread { p.waitUntilExit(); done.set() }
        let deadline = ContinuousClock.now + .seconds(5)
        while !done.isSet && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(done.isSet, "/bin/true was not reaped within 5 s while dnsmasq runs")
        #expect(try await run("/bin/echo", ["reaped"], timeout: .seconds(5)).stdout == "reaped\n")
    }

    final class ReapFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }

    @Test func nameserverParsing() {
        #expect(DNSNameserver(parsing: "127.0.0.1:5353") == DNSNameserver(address: "127.0.0.1", port: 5353))
        #expect(DNSNameserver(parsing: "127.0.0.1") == DNSNameserver(address: "127.0.0.1", port: 53))
        #expect(DNSNameserver(parsing: "[::1]:5353") == DNSNameserver(address: "::1", port: 5353))
        #expect(DNSNameserver(parsing: "::1") == DNSNameserver(address: "::1", port: 53))
        #expect(DNSNameserver(parsing: "localhost:53") == nil, "a host name would need DNS itself")
        #expect(DNSNameserver(parsing: "127.0.0.1:0") == nil)
        #expect(DNSNameserver(parsing: "127.0.0.1:99999") == nil)
        let conf = "# generated\nsearch example.com\nnameserver fe80::1%eth0\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n"
        #expect(DNSNameserver.first(inResolvConf: conf) == DNSNameserver(address: "10.0.0.2", port: 53))
        #expect(DNSNameserver.first(inResolvConf: "search x\n") == nil)
    }
}

/// The resolver's deadline, against sockets that never answer (no DNS server needed). These
/// assert elapsed time, so scripts/test runs them in its deadline pass, not among the
/// CPU-heavy suites (a busy cooperative pool would delay the resumption, not the timeout).
@Suite struct DNSTimeoutTests {
    @Test func silentServerTimesOutWithinItsDeadline() async throws {
        // A bound UDP socket that never answers.
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        let port = LocalDNSServer.boundPort(fd)
        let silent = SystemDNSResolver(nameserver: DNSNameserver(address: "127.0.0.1", port: port), timeout: .milliseconds(400))
        let start = ContinuousClock.now
        let error = await #expect(throws: DNSError.self) { try await silent.srv("_imaps._tcp.shop.test") }
        let elapsed = ContinuousClock.now - start
        #expect(error?.kind == .timeout)
        #expect(elapsed >= .milliseconds(350) && elapsed < .milliseconds(1500), "\(elapsed)")
    }

    /// Catalogue entry `network.dns-timeout`, for real: detection asks a name server on 127.0.0.1
    /// that receives the queries and never answers. The first SRV lookup times out, the result's
    /// `lookupDiagnosis` explains it (evidence: the query, the server, the wait), and the other
    /// SRV and MX lookups are skipped instead of each waiting the timeout again.
    @Test func detectionWithASilentNameServerIsDiagnosedAsDNSTimeout() async throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        let port = LocalDNSServer.boundPort(fd)
        let http = try await LocalHTTPServer.start(files: [:])
        let detector = SettingsDetector(
            options: DetectionOptions(autoconfigTemplates: ["\(http.base)/{domain}/config-v1.1.xml"], ispdbBase: nil,
                                      guessWhenNothingWorks: false),
            dns: SystemDNSResolver(nameserver: DNSNameserver(address: "127.0.0.1", port: port), timeout: .milliseconds(400)),
            timeout: .seconds(2))
        let start = ContinuousClock.now
        let result = try #require(await detector.detect(address: "till@shop.test"))
        let elapsed = ContinuousClock.now - start
        let d = try #require(result.lookupDiagnosis, "\(result.log)")
        #expect(d.id == "network.dns-timeout")
        #expect(d.stage == "DNS" && d.isTransient)
        #expect(d.title == "Looking up _submissions._tcp.shop.test took too long", "\(d.title)")
        #expect(d.evidence.contains("127.0.0.1:\(port)") && d.evidence.contains("400 ms"), "\(d.evidence)")
        #expect(d.evidence.contains("SRV _submissions._tcp.shop.test"), "\(d.evidence)")
        #expect(result.smtp.isEmpty && result.imap.isEmpty && result.bestSMTP == nil)
        #expect(result.log.filter { $0.hasSuffix("skipped (the DNS server did not answer)") }.count == 4, "\(result.log)")
        #expect(elapsed < .milliseconds(1500), "one DNS timeout, not five: \(elapsed)")
        // What reached the silent server: one query and its one resend (RFC 1035 §4.2.1), no more.
        var buffer = [UInt8](repeating: 0, count: 512)
        var received = 0
        while recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT)) > 0 && received < 100 { received += 1 }
        #expect(received == 2, "\(received) datagrams")
        withExtendedLifetime(http) {}
    }

    @Test func closedPortTimesOutToo() async throws {
        let closed = SystemDNSResolver(nameserver: DNSNameserver(address: "127.0.0.1", port: LocalDNSServer.freeUDPPort()),
                                       timeout: .milliseconds(300))
        let start = ContinuousClock.now
        let error = await #expect(throws: DNSError.self) { try await closed.mx("shop.test") }
        #expect(error?.kind == .timeout)
        #expect(ContinuousClock.now - start < .milliseconds(1500))
    }
}

/// The answer parser on hostile bytes (no socket): every length is checked against the message.
@Suite struct DNSAnswerParsingTests {
    func fail(_ kind: DNSError.Kind) -> DNSError { DNSError(kind: kind, query: "test", nameserver: "none") }

    /// A reply header + question for `a.test` SRV, followed by `answer` (ANCOUNT 1 if any).
    func reply(rcode: UInt8 = 0, tc: Bool = false, answer: [UInt8]) -> [UInt8] {
        var m: [UInt8] = [0x12, 0x34, 0x81 | (tc ? 0x02 : 0), 0x80 | rcode, 0, 1, 0, answer.isEmpty ? 0 : 1, 0, 0, 0, 0]
        m += [1, UInt8(ascii: "a"), 4] + Array("test".utf8) + [0, 0, 33, 0, 1]
        return m + answer
    }

    /// An SRV answer record with a compression pointer to the question name and `rdata`.
    func srvRecord(rdlength: UInt16, rdata: [UInt8]) -> [UInt8] {
        [0xC0, 12, 0, 33, 0, 1, 0, 0, 0, 60, UInt8(rdlength >> 8), UInt8(rdlength & 0xFF)] + rdata
    }

    @Test func wellFormedSRV() throws {
        let rdata: [UInt8] = [0, 1, 0, 2, 0x01, 0xD1, 4] + Array("mail".utf8) + [0xC0, 14]  // mail + pointer to "test"
        let records = try SystemDNSResolver.parse(reply(answer: srvRecord(rdlength: UInt16(rdata.count), rdata: rdata)),
                                                  type: .srv, name: "a.test", fail: fail)
        #expect(records == [.srv(SRVRecord(priority: 1, weight: 2, port: 465, target: "mail.test"))])
    }

    @Test func lengthsAreNeverTrusted() {
        let rdata: [UInt8] = [0, 1, 0, 2, 0x01, 0xD1, 4] + Array("mail".utf8) + [0]
        let cases: [[UInt8]] = [
            reply(answer: srvRecord(rdlength: 200, rdata: rdata)),                     // RDLENGTH past the end
            reply(answer: srvRecord(rdlength: 4, rdata: Array(rdata.prefix(4)))),       // too short for SRV
            reply(answer: srvRecord(rdlength: UInt16(rdata.count + 2), rdata: rdata + [0, 0])),  // name ends early
            reply(answer: srvRecord(rdlength: 9, rdata: [0, 1, 0, 2, 0, 25, 0xC0, 0xFF, 0])),  // pointer out of bounds
            reply(answer: srvRecord(rdlength: 8, rdata: [0, 1, 0, 2, 0, 25, 0xC0, 42])),  // pointer loop (to itself)
            Array(reply(answer: []).prefix(10)),                                         // short header
            reply(answer: []).dropLast(3),                                               // question cut
        ]
        for bytes in cases {
            #expect(throws: DNSError.self) { try SystemDNSResolver.parse(Array(bytes), type: .srv, name: "a.test", fail: fail) }
        }
    }

    @Test func rcodesAndFlags() throws {
        #expect(try SystemDNSResolver.parse(reply(rcode: 3, answer: []), type: .srv, name: "a.test", fail: fail) == [])
        let servfail = #expect(throws: DNSError.self) {
            try SystemDNSResolver.parse(reply(rcode: 2, answer: []), type: .srv, name: "a.test", fail: fail)
        }
        #expect(servfail?.kind == .serverFailure(rcode: 2))
        let truncated = #expect(throws: DNSError.self) {
            try SystemDNSResolver.parse(reply(tc: true, answer: []), type: .srv, name: "a.test", fail: fail)
        }
        #expect(truncated?.kind == .truncated)
        let other = #expect(throws: DNSError.self) {
            try SystemDNSResolver.parse(reply(answer: []), type: .srv, name: "b.test", fail: fail)
        }
        #expect(other?.kind == .malformedAnswer("it does not answer the question asked"))
    }
}
