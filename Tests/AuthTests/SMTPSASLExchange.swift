import Auth
import Foundation
import NetIO
import TestSupport

/// A raw SMTP submission session, just enough to run `AUTH` (RFC 4954) with a
/// `SASLClientExchange` against the real Postfix (SASL through Dovecot): greeting, EHLO,
/// STARTTLS (RFC 3207), EHLO again, AUTH with `334` continuations. The SMTP client proper lives
/// in the SMTP target.
struct SMTPSASLExchange {
    let connection: Connection
    private(set) var sentSecrets: [String] = []
    static let lineBound = 50

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Connects to Postfix's `submission` (STARTTLS) or `submissions` (implicit TLS) port and
    /// returns the session with the AUTH mechanisms of the EHLO after TLS.
    static func open(_ servers: TestServers, port name: String) async throws -> (SMTPSASLExchange, [String]) {
        let security: Security = name == "submissions" ? .implicitTLS : .startTLS
        let tls = TLSOptions(trust: .caFile(servers.tls("ca.crt")))
        let connection = try await Connection.connect(to: Endpoint(host: "localhost", port: try servers.port(name)),
                                                      security: security, tls: tls, timeouts: .uniform(.seconds(10)))
        let session = SMTPSASLExchange(connection: connection)
        guard try await session.reply().code == 220 else { throw Failure(description: "no 220 greeting") }
        var capabilities = try await session.ehlo()
        if security == .startTLS {
            try await connection.writeLine("STARTTLS")
            guard try await session.reply().code == 220 else { throw Failure(description: "STARTTLS refused") }
            try await connection.upgradeToTLS(tls)
            capabilities = try await session.ehlo()
        }
        let auth = capabilities.first { $0.uppercased().hasPrefix("AUTH ") }
        return (session, auth.map { $0.dropFirst(5).split(separator: " ").map(String.init) } ?? [])
    }

    /// One reply (RFC 5321 §4.2): its code and its lines' texts.
    func reply() async throws -> (code: Int, lines: [String]) {
        var lines: [String] = []
        for _ in 0..<Self.lineBound {
            let line = try await connection.readLineString()
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw Failure(description: "bad reply \(line)") }
            lines.append(String(line.dropFirst(4)))
            if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return (code, lines) }
        }
        throw Failure(description: "reply too long")
    }

    func ehlo() async throws -> [String] {
        try await connection.writeLine("EHLO client.example.test")
        let r = try await reply()
        guard r.code == 250 else { throw Failure(description: "EHLO: \(r)") }
        return Array(r.lines.dropFirst())
    }

    /// `AUTH` through `SASLClientExchange`: the final reply code and text, and the exchange.
    mutating func authenticate(_ mechanism: any SASLMechanism, label: String) async throws -> (Int, String, SASLClientExchange) {
        let prefix = "AUTH \(mechanism.name)"
        var exchange = SASLClientExchange(mechanism)
        let command = try exchange.command(prefix: prefix)
        if command != prefix { sentSecrets.append(String(command.dropFirst(prefix.count + 1))) }
        try await connection.writeLine(command, log: command == prefix ? .line(prefix) : .redacted(prefix, secret: label))
        for _ in 0..<Self.lineBound {
            let r = try await reply()
            guard r.code == 334 else {
                if r.code == 235 { try exchange.succeeded() }
                return (r.code, r.lines.joined(separator: " "), exchange)
            }
            let answer = exchange.answer(challenge: r.lines.first ?? "")
            if !answer.isEmpty && answer != SASLBase64.cancel { sentSecrets.append(answer) }
            try await connection.writeLine(answer, log: .redacted("", secret: "SASL response"))
        }
        throw Failure(description: "AUTH did not end")
    }

    func quit() async {
        try? await connection.writeLine("QUIT")
        _ = try? await reply()
        await connection.close()
    }
}
