import Testing
import Foundation
import NetIO
import TestSupport
@testable import Diagnosis

/// Answers SRV and MX from a table: the injection seam for detection (NetIO has no DNS client).
struct TableDNS: MailDNSResolving {
    var srvAnswers: [String: [SRVRecord]] = [:]
    var mxAnswers: [String: [String]] = [:]
    func srv(_ name: String) async throws -> [SRVRecord] { srvAnswers[name] ?? [] }
    func mx(_ domain: String) async throws -> [String] { mxAnswers[domain] ?? [] }
}

@Suite(.serialized) struct SettingsDetectorTests {
    let servers: TestServers
    let tls: TLSOptions

    init() throws {
        servers = try TestServers.load()
        tls = TLSOptions(trust: .caFile(servers.tls("ca.crt")))
    }

    func server(_ type: String, _ name: String, _ socketType: String) throws -> String {
        let tag = type == "imap" ? "incomingServer" : "outgoingServer"
        return """
            <\(tag) type="\(type)"><hostname>localhost</hostname><port>\(try servers.port(name))</port>
            <socketType>\(socketType)</socketType><username>%EMAILADDRESS%</username>
            <authentication>password-cleartext</authentication></\(tag)>
            """
    }

    func document(_ servers: [String]) -> String {
        "<clientConfig version=\"1.1\"><emailProvider id=\"shop.invalid\"><domain>shop.invalid</domain>"
            + servers.joined() + "</emailProvider></clientConfig>"
    }

    /// Only loopback: no ISPDB, no guessing (guessed names would need DNS).
    func options(_ http: LocalHTTPServer) -> DetectionOptions {
        DetectionOptions(autoconfigTemplates: ["\(http.base)/missing/{domain}.xml", "\(http.base)/{domain}/config-v1.1.xml"],
                         ispdbBase: nil, guessWhenNothingWorks: false)
    }

    @Test func expiredImplicitTLSLosesToWorkingSTARTTLS() async throws {
        let xml = document([try server("smtp", "tls_expired_diag", "SSL"), try server("smtp", "submission", "STARTTLS"),
                            try server("imap", "imaps", "SSL"), try server("imap", "imap", "STARTTLS")])
        let http = try await LocalHTTPServer.start(files: ["shop.invalid/config-v1.1.xml": xml])
        let detector = SettingsDetector(options: options(http), tls: tls, timeout: .seconds(8), greetingTimeout: .seconds(5))
        let result = try #require(await detector.detect(address: "till@shop.invalid"))
        #expect(result.log.first?.contains("HTTP status 404") == true, "\(result.log)")
        #expect(result.source == .autoconfig("\(http.base)/shop.invalid/config-v1.1.xml?emailaddress=till@shop.invalid"))
        let smtp = try #require(result.bestSMTP)
        #expect(smtp.candidate.port == (try servers.port("submission")), "587 wins over 465 with an expired certificate")
        #expect(smtp.verdict == .works)
        #expect(smtp.candidate.username == "till@shop.invalid")
        #expect(smtp.candidate.needsConfirmation, "localhost is outside shop.invalid")
        #expect(result.smtp.last?.diagnosis?.id == "tls.certificate-expired")
        let imap = try #require(result.bestIMAP)
        #expect(imap.candidate.security == .implicitTLS, "implicit TLS ranks first when both work")
    }

    @Test func noTLSAtAllIsFlagged() async throws {
        let xml = document([try server("smtp", "smtp_plain", "STARTTLS"), try server("smtp", "smtp_plain", "plain"),
                            try server("imap", "imaps", "SSL")])
        let http = try await LocalHTTPServer.start(files: ["shop.invalid/config-v1.1.xml": xml])
        let detector = SettingsDetector(options: options(http), tls: tls, timeout: .seconds(8), greetingTimeout: .seconds(5))
        let result = try #require(await detector.detect(address: "till@shop.invalid"))
        let smtp = try #require(result.bestSMTP)
        #expect(smtp.verdict == .plaintextOnly)
        #expect(smtp.candidate.isPlaintext)
        #expect(result.smtp.contains { $0.diagnosis?.id == "starttls.not-offered" })
    }

    @Test func srvRecordsWhenNoAutoconfig() async throws {
        let http = try await LocalHTTPServer.start(files: [:])
        let dns = TableDNS(srvAnswers: [
            "_submissions._tcp.shop.invalid": [SRVRecord(priority: 0, weight: 0, port: try servers.port("submissions"), target: "localhost.")],
            "_imaps._tcp.shop.invalid": [SRVRecord(priority: 0, weight: 0, port: try servers.port("imaps"), target: "localhost.")],
            "_imap._tcp.shop.invalid": [SRVRecord(priority: 0, weight: 0, port: 0, target: ".")],
        ])
        let detector = SettingsDetector(options: options(http), dns: dns, tls: tls, timeout: .seconds(8), greetingTimeout: .seconds(5))
        let result = try #require(await detector.detect(address: "till@shop.invalid"))
        #expect(result.source == .srv("_submissions._tcp.shop.invalid"))
        #expect(result.bestSMTP?.candidate.port == (try servers.port("submissions")))
        #expect(result.bestIMAP?.candidate.port == (try servers.port("imaps")))
        #expect(result.smtp.count == 1 && result.imap.count == 1, "the \".\" target means no service")
    }

    @Test func mxSelectsAnInjectedPreset() async throws {
        let http = try await LocalHTTPServer.start(files: [:])
        var opts = options(http)
        opts.presets = [try .local(servers, mxSuffixes: ["mx.provider.invalid"])]
        let dns = TableDNS(mxAnswers: ["shop.invalid": ["in1.mx.provider.invalid"]])
        let detector = SettingsDetector(options: opts, dns: dns, tls: tls, timeout: .seconds(8), greetingTimeout: .seconds(5))
        let result = try #require(await detector.detect(address: "till@shop.invalid"))
        #expect(result.source == .preset(.fastmail))
        #expect(result.notes == ["Use an app password."])
        #expect(result.bestIMAP?.candidate.username == "till")
        #expect(result.bestSMTP?.verdict == .works)
    }

    @Test func enableInstructionIsPassedOn() async throws {
        let xml = document([try server("smtp", "submissions", "SSL"), try server("imap", "imaps", "SSL")])
            .replacingOccurrences(of: "</clientConfig>", with:
                "<enable visiturl=\"https://provider.invalid/settings\"><instruction>Enable IMAP first.</instruction></enable></clientConfig>")
        let http = try await LocalHTTPServer.start(files: ["shop.invalid/config-v1.1.xml": xml])
        let detector = SettingsDetector(options: options(http), tls: tls, timeout: .seconds(8), greetingTimeout: .seconds(5))
        let result = try #require(await detector.detect(address: "till@shop.invalid"))
        #expect(result.notes == ["Enable IMAP first. (https://provider.invalid/settings)"])
        #expect(result.bestSMTP?.verdict == .works && result.bestIMAP?.verdict == .works)
    }

    @Test func notAnAddress() async {
        #expect(await SettingsDetector().detect(address: "not an address") == nil)
    }
}
