public import NetIO

/// The protocol spoken before a STARTTLS upgrade.
public enum STARTTLSProtocol: String, Sendable, CaseIterable {
    /// RFC 3207: greeting, EHLO, `STARTTLS`, `220`.
    case smtp
    /// RFC 9051 §6.2.1: greeting, `a1 STARTTLS`, `a1 OK`.
    case imap
}

/// What a TLS probe found: the report when a handshake happened, and the failure if any.
public struct TLSProbeResult: Sendable {
    /// `true` only when the chain is trusted and the host name matches (or the pin matched).
    public var ok: Bool
    /// The last stage reached: where it failed, or `TLS` on success.
    public var stage: Stage
    public var report: TLSReport?
    public var error: NetIOError?
    /// A failure outside the transport (the server does not offer STARTTLS, refused the command).
    public var protocolError: String?

    /// The failure in one sentence, or `nil`.
    public var errorText: String? { protocolError ?? error?.description }
}

/// Connects, upgrades with STARTTLS when asked, and reports the TLS session and its verdicts.
///
/// The SMTP and IMAP preambles here are the minimum needed to reach the handshake; the full
/// clients live in the SMTP and IMAP targets.
public enum TLSProbe {
    public static func run(endpoint: Endpoint, starttls: STARTTLSProtocol?, tls: TLSOptions,
                           timeout: Duration, transcript: Transcript) async -> TLSProbeResult {
        var stage: Stage = .connect
        var connection: Connection?
        defer { if let connection { Task { await connection.close() } } }
        do {
            let c = try await Connection.connect(to: endpoint, security: starttls == nil ? .implicitTLS : .startTLS,
                                                 tls: tls, timeouts: .uniform(timeout), transcript: transcript)
            connection = c
            guard let starttls else {
                return TLSProbeResult(ok: true, stage: .tls, report: await c.tlsReport)
            }
            stage = .greeting
            await c.setStage(stage)
            let problem: String? = switch starttls {
            case .smtp: try await smtpPreamble(c)
            case .imap: try await imapPreamble(c)
            }
            if let problem {
                transcript.diagnosis(problem)
                return TLSProbeResult(ok: false, stage: await c.stage, protocolError: problem)
            }
            stage = .tls
            let report = try await c.upgradeToTLS(tls)
            return TLSProbeResult(ok: true, stage: .tls, report: report)
        } catch let error as NetIOError {
            return TLSProbeResult(ok: false, stage: error.stage, report: error.tlsReport, error: error)
        } catch {
            return TLSProbeResult(ok: false, stage: stage, protocolError: "\(error)")
        }
    }

    /// Greeting, EHLO, STARTTLS. Returns a problem in words, or `nil` when the go-ahead came.
    private static func smtpPreamble(_ c: Connection) async throws -> String? {
        var line = try await c.readGreetingLine()
        while line.count > 3 && line[3] == UInt8(ascii: "-") { line = try await c.readLine() }
        guard line.starts(with: Array("220".utf8)) else {
            return "the server refused the session: \(String(decoding: line, as: UTF8.self))"
        }
        await c.setStage("EHLO")
        try await c.writeLine("EHLO mailprobe.invalid")
        var offersSTARTTLS = false
        repeat {
            line = try await c.readLine()
            let text = String(decoding: line.dropFirst(4), as: UTF8.self).uppercased()
            if text == "STARTTLS" { offersSTARTTLS = true }
        } while line.count > 3 && line[3] == UInt8(ascii: "-")
        guard line.starts(with: Array("250".utf8)) else {
            return "EHLO was refused: \(String(decoding: line, as: UTF8.self))"
        }
        guard offersSTARTTLS else { return "the server does not offer STARTTLS on this port" }
        await c.setStage("STARTTLS")
        try await c.writeLine("STARTTLS")
        line = try await c.readLine()
        guard line.starts(with: Array("220".utf8)) else {
            return "STARTTLS was refused: \(String(decoding: line, as: UTF8.self))"
        }
        return nil
    }

    /// Greeting, `a1 STARTTLS`. Returns a problem in words, or `nil` when the go-ahead came.
    private static func imapPreamble(_ c: Connection) async throws -> String? {
        let greeting = String(decoding: try await c.readGreetingLine(), as: UTF8.self)
        if greeting.uppercased().hasPrefix("* PREAUTH") {
            return "the server pre-authenticated the session before TLS (PREAUTH); refusing to continue without TLS"
        }
        guard greeting.uppercased().hasPrefix("* OK") else { return "the server refused the session: \(greeting)" }
        await c.setStage("STARTTLS")
        try await c.writeLine("a1 STARTTLS")
        while true {
            let line = String(decoding: try await c.readLine(), as: UTF8.self)
            if line.hasPrefix("*") { continue }
            if line.uppercased().hasPrefix("A1 OK") { return nil }
            return "STARTTLS was refused: \(line)"
        }
    }
}

extension TLSProbeResult {
    /// The failure as catalogue evidence, or `nil` when the probe succeeded.
    public func evidence(endpoint: Endpoint, starttls: STARTTLSProtocol?) -> FailureEvidence? {
        guard !ok else { return nil }
        let proto: MailProtocol = starttls == .imap ? .imap : .smtp
        let security: Security = starttls == nil ? .implicitTLS : .startTLS
        let server = ServerSettings(protocol: proto, host: endpoint.host, port: endpoint.port, security: security)
        if let error { return FailureEvidence(error, protocol: proto, server: server) }
        var e = FailureEvidence(protocol: proto, stage: stage.rawValue, text: protocolError ?? "", tlsReport: report,
                                host: endpoint.host, port: endpoint.port, security: security)
        if protocolError?.contains("does not offer STARTTLS") == true { e.observation = .startTLSNotOffered }
        return e
    }

    /// The failure explained by the catalogue, or `nil` when the probe succeeded.
    public func diagnosis(endpoint: Endpoint, starttls: STARTTLSProtocol?,
                          catalogue: DiagnosisCatalogue = .standard) -> FailureDiagnosis? {
        evidence(endpoint: endpoint, starttls: starttls).map(catalogue.diagnose)
    }
}
