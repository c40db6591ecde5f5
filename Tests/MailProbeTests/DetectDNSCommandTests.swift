import Foundation
import TestSupport
import Testing

/// `mailprobe detect --dns-server`: SRV records (RFC 6186) served by dnsmasq on 127.0.0.1 only
/// (no upstream, no /etc/hosts) lead to the real Postfix and Dovecot. Every run names the
/// 127.0.0.1 server: nothing here asks the system's DNS server.
@Suite("mailprobe detect --dns-server", .serialized)
struct DetectDNSCommandTests {
    let servers: TestServers

    init() throws { servers = try TestServers.load() }

    /// Was disabled as "hangs under the test runner": dnsmasq was started with Foundation's
    /// `Process`, whose exit watcher it broke (see `ChildProcess`), so `run(mailprobe…)` never
    /// saw mailprobe end. `LocalDNSServer` starts it as a `ChildProcess`.
    @Test func detectUsesSRVFromTheGivenDNSServer() async throws {
        let dns = try await LocalDNSServer.start(records: [
            "--srv-host=_submissions._tcp.shop.test,localhost,\(try servers.port("submissions")),0,0",
            "--srv-host=_imaps._tcp.shop.test,localhost,\(try servers.port("imaps")),0,0",
        ])
        let args = ["detect", "till@shop.test", "--no-guess", "--ispdb-base", "none",
                    "--autoconfig-url", "http://127.0.0.1:1/{domain}.xml",
                    "--dns-server", dns.hostAndPort, "--ca-file", servers.tls("ca.crt"), "--timeout", "8"]
        let r = try await run(mailprobePath(), args + ["--json"], timeout: .seconds(60))
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((o["source"] as? String)?.contains("_submissions._tcp.shop.test") == true, "\(o["source"] ?? "")")
        let best = try #require(o["best"] as? [String: Any])
        let smtp = try #require(best["smtp"] as? [String: Any])
        #expect(smtp["port"] as? Int == Int(try servers.port("submissions")))
        #expect(smtp["needsConfirmation"] as? Bool == true, "localhost is outside shop.test and no known provider")
        #expect((best["imap"] as? [String: Any])?["port"] as? Int == Int(try servers.port("imaps")))
        let log = try #require(o["log"] as? [String])
        #expect(log.contains { $0.hasPrefix("DNS SRV _submissions._tcp.shop.test: 1 targets") }, "\(log)")

        let text = try await run(mailprobePath(), args, timeout: .seconds(60))
        #expect(text.status == 0, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.contains("(please confirm: this server is not in your domain)"), "\(text.stdout)")
        dns.stop()
        #expect(!dns.isRunning, "dnsmasq is stopped and reaped")
    }

    /// SRV names an implicit-TLS port with an expired certificate and a working STARTTLS one:
    /// the built binary picks 587 and explains the other.
    @Test func detectRanksWorkingSTARTTLSAboveExpiredImplicitTLS() async throws {
        // Its own s_server: the shared one serves one connection at a time.
        let expiredServer = try await LocalTLSServer.start(cert: servers.tls("expired.crt"), key: servers.tls("expired.key"),
                                                           chain: servers.tls("ca.crt"))
        let expired = expiredServer.port, submission = try servers.port("submission")
        let dns = try await LocalDNSServer.start(records: [
            "--srv-host=_submissions._tcp.expired.test,localhost,\(expired),0,0",
            "--srv-host=_submission._tcp.expired.test,localhost,\(submission),0,0",
        ])
        let r = try await run(mailprobePath(), ["detect", "till@expired.test", "--json", "--no-guess", "--ispdb-base", "none",
                                                "--autoconfig-url", "http://127.0.0.1:1/{domain}.xml",
                                                "--dns-server", dns.hostAndPort, "--ca-file", servers.tls("ca.crt"),
                                                "--timeout", "8"], timeout: .seconds(60))
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let smtp = try #require(o["smtp"] as? [[String: Any]])
        #expect(smtp.map { $0["port"] as? Int } == [Int(submission), Int(expired)], "587 ranks first")
        #expect(smtp.first?["security"] as? String == "starttls" && smtp.first?["trusted"] as? Bool == true)
        #expect((smtp.last?["diagnosis"] as? [String: Any])?["id"] as? String == "tls.certificate-expired")
        let best = try #require(o["best"] as? [String: Any])
        #expect((best["smtp"] as? [String: Any])?["port"] as? Int == Int(submission))
        withExtendedLifetime((dns, expiredServer)) {}
    }

    /// `network.dns-timeout` through the built binary: the --dns-server on 127.0.0.1 receives the
    /// queries and never answers; the JSON names the diagnosis, the server and the wait, and the
    /// remaining lookups are skipped (one DNS wait, not five).
    @Test func silentDNSServerIsDiagnosedAsDNSTimeout() async throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        let port = LocalDNSServer.boundPort(fd)
        let args = ["detect", "till@shop.test", "--no-guess", "--ispdb-base", "none",
                    "--autoconfig-url", "http://127.0.0.1:1/{domain}.xml",
                    "--dns-server", "127.0.0.1:\(port)", "--timeout", "1"]
        let start = ContinuousClock.now
        let r = try await run(mailprobePath(), args + ["--json"], timeout: .seconds(30))
        #expect(ContinuousClock.now - start < .seconds(6), "one 1 s DNS wait, not one per lookup")
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let d = try #require(o["diagnosis"] as? [String: Any], "\(r.stdout)")
        #expect(d["id"] as? String == "network.dns-timeout")
        #expect(d["stage"] as? String == "DNS")
        let evidence = d["evidence"] as? String ?? ""
        #expect(evidence.contains("127.0.0.1:\(port)") && evidence.contains("1 s"), "\(evidence)")
        let log = try #require(o["log"] as? [String])
        #expect(log.contains("DNS MX shop.test: skipped (the DNS server did not answer)"), "\(log)")

        let text = try await run(mailprobePath(), args, timeout: .seconds(30))
        #expect(text.status == 2)
        #expect(text.stdout.contains("DNS: Looking up _submissions._tcp.shop.test took too long."), "\(text.stdout)")
        #expect(text.stdout.contains("(network.dns-timeout)"), "\(text.stdout)")
    }

    /// A domain with only an MX record (RFC 5321 §5.1): detection fetches the autoconfig
    /// document of the MX host's domain from the `--mx-autoconfig-template` URL, here a local
    /// HTTP server, so nothing leaves 127.0.0.1 (the default template is https://autoconfig.…).
    @Test func mxAutoconfigTemplateKeepsTheMXFetchLocal() async throws {
        let xml = "<clientConfig version=\"1.1\"><emailProvider id=\"hoster.test\"><domain>hoster.test</domain>"
            + "<outgoingServer type=\"smtp\"><hostname>localhost</hostname><port>\(try servers.port("submission"))</port>"
            + "<socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></outgoingServer>"
            + "<incomingServer type=\"imap\"><hostname>localhost</hostname><port>\(try servers.port("imaps"))</port>"
            + "<socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>"
            + "</emailProvider></clientConfig>"
        let http = try await LocalHTTPServer.start(files: ["mx/hoster.test.xml": xml])
        let httpPort = http.port
        let dns = try await LocalDNSServer.start(records: ["--mx-host=mxonly.test,mx1.hoster.test,10"])
        defer { dns.stop() }
        let template = "http://127.0.0.1:\(httpPort)/mx/{domain}.xml"
        let r = try await run(mailprobePath(), ["detect", "till@mxonly.test", "--json", "--no-guess", "--ispdb-base", "none",
                                                "--autoconfig-url", "http://127.0.0.1:1/{domain}.xml",
                                                "--mx-autoconfig-template", template,
                                                "--dns-server", dns.hostAndPort, "--ca-file", servers.tls("ca.crt"),
                                                "--timeout", "8"], timeout: .seconds(60))
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let log = try #require(o["log"] as? [String])
        #expect(log.contains("DNS MX mxonly.test: mx1.hoster.test"), "\(log)")
        #expect((o["source"] as? String)?.contains("127.0.0.1:\(httpPort)/mx/hoster.test.xml") == true, "\(o["source"] ?? "") \(log)")
        let best = try #require(o["best"] as? [String: Any])
        #expect((best["smtp"] as? [String: Any])?["port"] as? Int == Int(try servers.port("submission")))
        #expect((best["imap"] as? [String: Any])?["port"] as? Int == Int(try servers.port("imaps")))
        #expect(o["diagnosis"] == nil, "every lookup answered")

        let bad = try await run(mailprobePath(), ["detect", "till@mxonly.test", "--mx-autoconfig-template", "http://127.0.0.1:1/x.xml"])
        #expect(bad.status == 64 && bad.stderr.contains("{domain}"), "\(bad.stderr)")
    }



    @Test func badDNSServerIsAUsageError() async throws {
        let r = try await run(mailprobePath(), ["detect", "till@shop.test", "--no-guess", "--ispdb-base", "none",
                                                "--dns-server", "dns.example.invalid:53"])
        #expect(r.status == 64, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("--dns-server"))
    }
}
