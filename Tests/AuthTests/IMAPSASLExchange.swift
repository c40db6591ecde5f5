import Auth
import Foundation
import NetIO
import TestSupport

/// A raw IMAP session, just enough to run `AUTHENTICATE` (RFC 9051 §6.2.2) with a
/// `SASLMechanism` against the real Dovecot: greeting, STARTTLS, CAPABILITY, then
/// `A AUTHENTICATE <mech> [<initial response>]` (SASL-IR, RFC 4959) and `+ <base64>`
/// continuations until the tagged OK/NO. The IMAP client proper lives in the IMAP target.
struct IMAPSASLExchange {
    let connection: Connection
    private var tagNumber = 0
    /// Every base64 line the client sent during AUTHENTICATE: none may appear in the transcript.
    private(set) var sentSecrets: [String] = []

    /// The bound on lines read for one command, so a misbehaving server cannot keep the test going.
    static let lineBound = 50

    enum Outcome: Equatable {
        case ok(String)
        case no(String)
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Connects to Dovecot's `imap` (STARTTLS first) or `imaps` (implicit TLS) port.
    static func open(_ servers: TestServers, port name: String) async throws -> IMAPSASLExchange {
        let security: Security = name == "imaps" ? .implicitTLS : .startTLS
        let tls = TLSOptions(trust: .caFile(servers.tls("ca.crt")))
        let connection = try await Connection.connect(to: Endpoint(host: "localhost", port: try servers.port(name)),
                                                      security: security, tls: tls,
                                                      timeouts: .uniform(.seconds(10)))
        var session = IMAPSASLExchange(connection: connection)
        let greeting = try await connection.readLineString()
        guard greeting.hasPrefix("* OK") else { throw Failure(description: "greeting: \(greeting)") }
        if security == .startTLS {
            let outcome = try await session.simple("STARTTLS")
            guard case .ok = outcome else { throw Failure(description: "STARTTLS: \(outcome)") }
            try await connection.upgradeToTLS(tls)
        }
        return session
    }

    /// `CAPABILITY`: the capability names, upper-case.
    mutating func capabilities() async throws -> [String] {
        let tag = nextTag()
        try await connection.writeLine("\(tag) CAPABILITY")
        var names: [String] = []
        for _ in 0..<Self.lineBound {
            let line = try await connection.readLineString()
            if line.hasPrefix("* CAPABILITY ") {
                names = line.dropFirst("* CAPABILITY ".count).split(separator: " ").map { $0.uppercased() }
            } else if line.hasPrefix("\(tag) ") {
                return names
            }
        }
        throw Failure(description: "no tagged reply to CAPABILITY")
    }

    /// The mechanisms offered (`AUTH=` capabilities).
    mutating func offeredMechanisms() async throws -> [String] {
        try await capabilities().filter { $0.hasPrefix("AUTH=") }.map { String($0.dropFirst(5)) }
    }

    /// Runs one SASL exchange through `SASLClientExchange`. `useInitialResponse` sends the
    /// initial response on the command line (SASL-IR); otherwise it goes after the server's empty
    /// `+` challenge. Returns the tagged outcome and the exchange (for `failureExplanation`).
    mutating func authenticate(_ mechanism: any SASLMechanism, label: String,
                               useInitialResponse: Bool = true) async throws -> (Outcome, SASLClientExchange) {
        let tag = nextTag()
        let prefix = "\(tag) AUTHENTICATE \(mechanism.name)"
        var exchange = SASLClientExchange(mechanism)
        let command = try exchange.command(prefix: prefix, lineLimit: useInitialResponse ? nil : 0)
        if command != prefix { sentSecrets.append(String(command.dropFirst(prefix.count + 1))) }
        try await connection.writeLine(command, log: command == prefix ? .line(prefix) : .redacted(prefix, secret: label))
        for _ in 0..<Self.lineBound {
            let line = try await connection.readLineString()
            if line.hasPrefix("+") {
                let answer = exchange.answer(challenge: String(line.dropFirst(1)))
                if !answer.isEmpty && answer != SASLBase64.cancel { sentSecrets.append(answer) }
                try await connection.writeLine(answer, log: .redacted("", secret: "SASL response"))
                if answer == SASLBase64.cancel {
                    _ = try await readTagged(tag)
                    throw exchange.error ?? AuthError(.protocolViolation("cancelled"))
                }
            } else if line.hasPrefix("\(tag) OK") {
                try exchange.succeeded()
                return (.ok(line), exchange)
            } else if line.hasPrefix("\(tag) ") {
                return (.no(line), exchange)
            }
        }
        throw Failure(description: "no tagged reply to AUTHENTICATE")
    }

    /// A command without arguments, until its tagged reply.
    mutating func simple(_ command: String) async throws -> Outcome {
        let tag = nextTag()
        try await connection.writeLine("\(tag) \(command)")
        return try await readTagged(tag)
    }

    private func readTagged(_ tag: String) async throws -> Outcome {
        for _ in 0..<Self.lineBound {
            let line = try await connection.readLineString()
            if line.hasPrefix("\(tag) OK") { return .ok(line) }
            if line.hasPrefix("\(tag) ") { return .no(line) }
        }
        throw Failure(description: "no tagged reply")
    }

    func close() async {
        await connection.close()
    }

    private mutating func nextTag() -> String {
        tagNumber += 1
        return "A\(tagNumber)"
    }
}
