import Testing
import Foundation
import NetIO
import TestSupport
@testable import Diagnosis

/// Fetches with `URLSessionAutoconfigFetcher`, but only from 127.0.0.1: any other URL is refused
/// and recorded, so a test can assert that detection never left the machine.
final class LoopbackOnlyFetcher: AutoconfigFetching, @unchecked Sendable {
    private let lock = NSLock()
    private var refusedURLs: [String] = []
    private var fetchedURLs: [String] = []
    let real = URLSessionAutoconfigFetcher()

    struct Refused: Error, CustomStringConvertible {
        var url: String
        var description: String { "refused by the test: \(url) is not on 127.0.0.1" }
    }

    var refused: [String] { lock.withLock { refusedURLs } }
    var fetched: [String] { lock.withLock { fetchedURLs } }

    func fetch(_ url: String, timeout: Duration) async throws -> Data {
        guard url.hasPrefix("http://127.0.0.1:") else {
            lock.withLock { refusedURLs.append(url) }
            throw Refused(url: url)
        }
        lock.withLock { fetchedURLs.append(url) }
        return try await real.fetch(url, timeout: timeout)
    }
}

/// Settings detection end to end, nothing faked (issue 6, "Verified by"): the real
/// `SystemDNSResolver` asks dnsmasq on 127.0.0.1 for SRV and MX records whose targets are the
/// local Postfix, Dovecot, `openssl s_server` and aiosmtpd of scripts/servers; autoconfig and
/// ISPDB documents come from a local HTTP server; every candidate is really probed; the
/// ranking, the diagnoses and the trust marks are asserted. No query or fetch leaves 127.0.0.1
/// (the fetcher refuses anything else, and no guessed names are probed).
@Suite(.serialized) struct DetectionEndToEndTests {
    let servers: TestServers
    let tls: TLSOptions

    init() throws {
        servers = try TestServers.load()
        tls = TLSOptions(trust: .caFile(servers.tls("ca.crt")))
    }

    /// Autoconfig for the address's domain, the ISPDB and the MX's autoconfig all on the local
    /// HTTP server (404 unless a test put a document there); no guessing.
    func options(_ http: LocalHTTPServer, presets: [ProviderPreset] = ProviderPreset.standard) -> DetectionOptions {
        DetectionOptions(autoconfigTemplates: ["\(http.base)/autoconfig/{domain}/config-v1.1.xml"],
                         ispdbBase: "\(http.base)/ispdb/", guessWhenNothingWorks: false, presets: presets,
                         mxAutoconfigTemplate: "\(http.base)/mx-autoconfig/{domain}/config-v1.1.xml")
    }

    func detector(_ dns: LocalDNSServer, _ http: LocalHTTPServer, _ fetcher: LoopbackOnlyFetcher,
                  presets: [ProviderPreset] = ProviderPreset.standard) -> SettingsDetector {
        SettingsDetector(options: options(http, presets: presets), fetcher: fetcher,
                         dns: SystemDNSResolver(nameserver: dns.nameserver, timeout: .seconds(2)),
                         tls: tls, timeout: .seconds(8), greetingTimeout: .seconds(3))
    }

    /// SRV says: implicit TLS on a port whose certificate expired, STARTTLS on a working
    /// Postfix. 587 (STARTTLS) must win; the 465 one is ranked below it with the expired
    /// certificate diagnosed; the targets (localhost) are outside the domain: to be confirmed.
    @Test func srvExpiredImplicitTLSLosesToWorkingSTARTTLS() async throws {
        // An s_server of this test's own with the expired certificate (the shared one serves one
        // connection at a time, and the untrusted-retry probe holds it until the greeting timeout).
        let expiredServer = try await LocalTLSServer.start(cert: servers.tls("expired.crt"), key: servers.tls("expired.key"),
                                                           chain: servers.tls("ca.crt"))
        let expired = expiredServer.port, submission = try servers.port("submission")
        let imaps = try servers.port("imaps")
        let dns = try await LocalDNSServer.start(records: [
            "--srv-host=_submissions._tcp.expired.test,localhost,\(expired),0,0",
            "--srv-host=_submission._tcp.expired.test,localhost,\(submission),0,0",
            "--srv-host=_imaps._tcp.expired.test,localhost,\(imaps),0,0",
            "--srv-host=_imap._tcp.expired.test",
        ])
        let http = try await LocalHTTPServer.start(files: [:])
        let fetcher = LoopbackOnlyFetcher()
        let result = try #require(await detector(dns, http, fetcher).detect(address: "till@expired.test"))

        #expect(result.log.first?.contains("HTTP status 404") == true, "autoconfig was asked first: \(result.log)")
        #expect(result.log.contains("DNS SRV _submissions._tcp.expired.test: 1 targets"), "\(result.log)")
        #expect(result.source == .srv("_submissions._tcp.expired.test"))
        #expect(result.smtp.map(\.candidate.port) == [submission, expired], "587 ranks above the expired 465")
        let best = try #require(result.bestSMTP)
        #expect(best.candidate.port == submission && best.candidate.security == .startTLS && best.verdict == .works)
        #expect(best.tlsReport != nil, "STARTTLS was really done")
        let loser = try #require(result.smtp.last)
        #expect(loser.candidate.security == .implicitTLS && loser.verdict == .failed)
        #expect(loser.diagnosis?.id == "tls.certificate-expired", "\(String(describing: loser.diagnosis))")
        #expect(result.smtp.map(\.candidate.needsConfirmation) == [true, true], "localhost is outside expired.test")
        #expect(result.imap.map(\.candidate.port) == [imaps], "the . target for _imap means not offered")
        #expect(result.bestIMAP?.verdict == .works)
        #expect(fetcher.refused.isEmpty, "\(fetcher.refused)")
        withExtendedLifetime((dns, http, expiredServer)) {}
    }

    /// No TLS anywhere: no SRV, the MX points at a hoster whose ISPDB entry (served locally)
    /// names an SMTP server without STARTTLS. Detection follows the MX, the plain-text setting
    /// is the only one that works and is flagged, the STARTTLS one is diagnosed.
    @Test func mxLedToAServerWithoutTLSWhichIsFlagged() async throws {
        let plain = try servers.port("smtp_plain")
        func server(_ socketType: String) -> String {
            "<outgoingServer type=\"smtp\"><hostname>localhost</hostname><port>\(plain)</port>"
                + "<socketType>\(socketType)</socketType><username>%EMAILADDRESS%</username>"
                + "<authentication>password-cleartext</authentication></outgoingServer>"
        }
        let ispdb = "<clientConfig version=\"1.1\"><emailProvider id=\"plainhost.test\"><domain>plainhost.test</domain>"
            + server("STARTTLS") + server("plain") + "</emailProvider></clientConfig>"
        let dns = try await LocalDNSServer.start(records: ["--mx-host=plain.test,mx.plainhost.test,10"])
        let http = try await LocalHTTPServer.start(files: ["ispdb/plainhost.test": ispdb])
        let fetcher = LoopbackOnlyFetcher()
        let result = try #require(await detector(dns, http, fetcher).detect(address: "till@plain.test"))

        #expect(result.log.contains("DNS SRV _submissions._tcp.plain.test: 0 targets"), "\(result.log)")
        #expect(result.log.contains("DNS MX plain.test: mx.plainhost.test"), "\(result.log)")
        #expect(result.source == .autoconfig("\(http.base)/ispdb/plainhost.test"), "\(result.log)")
        #expect(fetcher.fetched.contains("\(http.base)/ispdb/plain.test"), "the ISPDB was asked for the domain first")
        #expect(result.smtp.map(\.verdict) == [.plaintextOnly, .failed])
        let best = try #require(result.bestSMTP)
        #expect(best.candidate.isPlaintext && best.verdict == .plaintextOnly, "flagged: works only without encryption")
        #expect(best.tlsReport == nil)
        #expect(result.smtp.last?.diagnosis?.id == "starttls.not-offered", "\(String(describing: result.smtp.last?.diagnosis))")
        #expect(result.smtp.map(\.candidate.needsConfirmation) == [true, true],
                "learned through an unsigned MX, and localhost is no known provider")
        #expect(result.bestIMAP == nil)
        #expect(fetcher.refused.isEmpty, "\(fetcher.refused)")
        withExtendedLifetime((dns, http)) {}
    }

    /// The same SRV answer, once with the standard provider table (localhost is nobody's: shown
    /// for confirmation) and once with a provider preset whose servers are on localhost (the
    /// stand-in for `smtp.fastmail.com`, which a test must not resolve): now trusted.
    @Test func srvTargetsAreTrustedOnlyWhenTheyBelongToAKnownProvider() async throws {
        let submissions = try servers.port("submissions"), imaps = try servers.port("imaps")
        let dns = try await LocalDNSServer.start(records: [
            "--srv-host=_submissions._tcp.hosted.test,localhost,\(submissions),0,0",
            "--srv-host=_imaps._tcp.hosted.test,localhost,\(imaps),0,0",
        ])
        let http = try await LocalHTTPServer.start(files: [:])
        let fetcher = LoopbackOnlyFetcher()

        let unknown = try #require(await detector(dns, http, fetcher).detect(address: "till@hosted.test"))
        #expect(unknown.source == .srv("_submissions._tcp.hosted.test"))
        #expect(unknown.bestSMTP?.verdict == .works && unknown.bestIMAP?.verdict == .works)
        #expect(unknown.bestSMTP?.candidate.needsConfirmation == true)
        #expect(unknown.bestIMAP?.candidate.needsConfirmation == true)

        let provider = try ProviderPreset.local(servers, imapUsername: .emailAddress)
        let known = try #require(await detector(dns, http, fetcher, presets: ProviderPreset.standard + [provider])
            .detect(address: "till@hosted.test"))
        #expect(known.source == .srv("_submissions._tcp.hosted.test"), "still learned from DNS, not from the preset")
        #expect(known.bestSMTP?.candidate.needsConfirmation == false)
        #expect(known.bestIMAP?.candidate.needsConfirmation == false)
        #expect(known.bestSMTP?.candidate.source == .srv("_submissions._tcp.hosted.test"))
        #expect(fetcher.refused.isEmpty, "\(fetcher.refused)")
        withExtendedLifetime((dns, http)) {}
    }

    /// Built-in provider hosts, through the real resolver and the detector's own SRV step (not
    /// probed: their names are not resolved here): a provider's host is trusted, a host under
    /// the address's domain is trusted, anything else needs confirmation.
    @Test func srvTrustWithTheBuiltInProviderTable() async throws {
        let dns = try await LocalDNSServer.start(records: [
            "--srv-host=_submissions._tcp.brand.test,smtp.fastmail.com,465,0,10",
            "--srv-host=_submissions._tcp.brand.test,mail.brand.test,465,0,5",
            "--srv-host=_submissions._tcp.brand.test,smtp.brand-mail.test,465,10,0",
        ])
        let resolver = SystemDNSResolver(nameserver: dns.nameserver, timeout: .seconds(2))
        let records = try await resolver.srv("_submissions._tcp.brand.test")
        let candidates = DetectionPlan.candidates(fromSRV: records, name: "_submissions._tcp.brand.test", protocol: .smtp,
                                                  security: .implicitTLS, address: "till@brand.test", domain: "brand.test")
        #expect(candidates.map(\.host) == ["smtp.fastmail.com", "mail.brand.test", "smtp.brand-mail.test"])
        #expect(candidates.map(\.needsConfirmation) == [false, false, true])
        #expect(candidates[2].description.contains("[confirm: host outside the address's domain]"))
        withExtendedLifetime(dns) {}
    }
}
