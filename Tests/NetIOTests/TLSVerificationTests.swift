import Foundation
import NetIO
import TestSupport
import Testing

/// TLS against real `openssl s_server` peers from scripts/servers, one certificate case each.
@Suite("TLS verification against openssl s_server", .serialized)
struct TLSVerificationTests {
    let servers: TestServers
    init() throws { servers = try TestServers.load() }

    func connect(_ name: String, host: String = "localhost", _ options: TLSOptions) async throws -> Connection {
        try await Connection.connect(to: Endpoint(host: host, port: try servers.port(name)), security: .implicitTLS,
                                     tls: options, timeouts: .uniform(.seconds(15)))
    }

    func expectTLSFailure(_ name: String, _ options: TLSOptions, host: String = "localhost",
                          _ check: (NetIOError) -> Void) async throws {
        do {
            let c = try await connect(name, host: host, options)
            await c.close()
            Issue.record("\(name): connection was accepted")
        } catch let error as NetIOError {
            #expect(error.stage == .tls)
            check(error)
        }
    }

    @Test func trustedThroughCAFileByName() async throws {
        let c = try await connect("tls_good", .init(trust: .caFile(servers.tls("ca.crt"))))
        let report = try #require(await c.tlsReport)
        #expect(report.accepted && report.chainTrusted && report.hostnameMatches)
        #expect(report.version == "TLS 1.3")
        #expect(report.serverNameSent == "localhost")
        #expect(report.leaf?.subjectAltNames.contains("localhost") == true)
        #expect(report.chain.count == 2)
        #expect(report.leaf?.sha256 == (try fingerprint(servers.tls("good.crt"))))
        // The s_server -rev peer reverses each line: proves application data flows over TLS.
        try await c.writeLine("invoice 1042")
        #expect(try await c.readLineString() == "2401 eciovni")
        await c.close()
    }

    @Test func trustedByIPAddressWithoutSNI() async throws {
        let c = try await connect("tls_good", host: "127.0.0.1", .init(trust: .caFile(servers.tls("ca.crt"))))
        let report = try #require(await c.tlsReport)
        #expect(report.serverNameSent == nil)
        #expect(report.hostnameMatches)
        await c.close()
    }

    @Test func privateCARefusedBySystemStore() async throws {
        try await expectTLSFailure("tls_good", .default) { error in
            #expect(error.kind == .tls(.untrustedChain))
            #expect(error.tlsReport?.hostnameMatches == true)
            #expect(error.description.contains("not trusted"))
        }
    }

    @Test func selfSignedRefusedAsUntrusted() async throws {
        try await expectTLSFailure("tls_selfsigned", .init(trust: .caFile(servers.tls("ca.crt")))) { error in
            #expect(error.kind == .tls(.untrustedChain))
            #expect(error.tlsReport?.chainError?.contains("self-signed") == true, "\(error)")
        }
    }

    @Test func wrongHostNameRefusedAsMismatch() async throws {
        try await expectTLSFailure("tls_wrongname", .init(trust: .caFile(servers.tls("ca.crt")))) { error in
            #expect(error.kind == .tls(.hostnameMismatch))
            #expect(error.tlsReport?.chainTrusted == true)
            #expect(error.evidence?.contains("certificate is for other.example, not localhost") == true, "\(error)")
        }
    }

    @Test func expiredRefusedAsExpired() async throws {
        try await expectTLSFailure("tls_expired", .init(trust: .caFile(servers.tls("ca.crt")))) { error in
            #expect(error.kind == .tls(.untrustedChain))
            #expect(error.evidence == "certificate has expired (not valid after 2021-01-01)", "\(error)")
        }
    }

    @Test func legacyProtocolServerRefused() async throws {
        try await expectTLSFailure("tls_legacy", .init(trust: .caFile(servers.tls("ca.crt")))) { error in
            #expect(error.kind == .tls(.protocolTooOld), "\(error)")
            #expect(error.description.contains("older than the minimum (TLS 1.2)"))
        }
    }

    @Test func pinnedCertificateAcceptedAndWrongPinRefused() async throws {
        let pin = try fingerprint(servers.tls("selfsigned.crt"))
        let colons = stride(from: 0, to: pin.count, by: 2).map { i -> String in
            let a = pin.index(pin.startIndex, offsetBy: i)
            return String(pin[a...pin.index(after: a)]).uppercased()
        }.joined(separator: ":")
        let c = try await connect("tls_selfsigned", .init(trust: .pinnedSHA256([colons])))
        let report = try #require(await c.tlsReport)
        #expect(report.pinMatches == true && report.accepted)
        #expect(report.chainTrusted == false)  // still reported
        await c.close()

        let wrong = String(repeating: "ab", count: 32)
        try await expectTLSFailure("tls_selfsigned", .init(trust: .pinnedSHA256([wrong]))) { error in
            #expect(error.kind == .tls(.pinMismatch))
            #expect(error.evidence?.contains(pin) == true)
        }
    }

    @Test func insecureModeCompletesAndStillReports() async throws {
        let c = try await connect("tls_selfsigned", .init(insecureSkipVerification: true))
        let report = try #require(await c.tlsReport)
        #expect(report.accepted && !report.trusted)
        await c.close()
    }

    @Test func clientCertificatePresented() async throws {
        let withCert = TLSOptions(trust: .caFile(servers.tls("ca.crt")),
                                  clientCertificate: .init(certificateChainFile: servers.tls("client.crt"),
                                                           privateKeyFile: servers.tls("client.key")))
        let c = try await connect("tls_clientauth", withCert)
        try await c.writeLine("abc")
        #expect(try await c.readLineString() == "cba")
        await c.close()

        // Without one, the server refuses; with TLS 1.3 that shows at the first read.
        do {
            let c2 = try await connect("tls_clientauth", .init(trust: .caFile(servers.tls("ca.crt"))))
            try await c2.writeLine("abc")
            _ = try await c2.readLine()
            Issue.record("server accepted a client without a certificate")
        } catch let error as NetIOError {
            #expect(error.kind != .timeout, "\(error)")
        }
    }
}

/// SHA-256 fingerprint as `openssl x509 -fingerprint` computes it, lower-case hex.
func fingerprint(_ certFile: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    p.arguments = ["x509", "-in", certFile, "-noout", "-fingerprint", "-sha256"]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    p.waitUntilExit()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return String(out.split(separator: "=").last ?? "").lowercased().filter(\.isHexDigit)
}
