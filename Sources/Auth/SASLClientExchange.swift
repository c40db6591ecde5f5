/// Drives one SASL exchange for a protocol layer, without I/O (RFC 4422 §3): builds the command
/// line (initial response inline when it fits, RFC 4954 §4 / RFC 4959), turns each server
/// challenge text into the line to send, and checks the server's success.
///
/// ```
/// var exchange = SASLClientExchange(mechanism)
/// C: AUTH SCRAM-SHA-256 biwsbj1…        ← try exchange.command(prefix: "AUTH SCRAM-SHA-256")
/// S: 334 cj1meWtv…
/// C: Yz1iaXdzLHI9…                      ← exchange.answer(challenge: "cj1meWtv…")
/// S: 334 dj1ybXF0…
/// C:                                    ← exchange.answer(challenge: "dj1ybXF0…") (empty line)
/// S: 235 2.7.0 Authentication successful  → try exchange.succeeded()
/// ```
/// Every line it returns may carry a secret: log it as `TranscriptText.redacted`. A challenge the
/// mechanism cannot accept gives the cancel line `*` (RFC 4954 §4, RFC 9051 §6.2.2) and keeps the
/// reason in `error`: send `*`, read the server's final reply, then throw `error`.
public struct SASLClientExchange: Sendable {
    public private(set) var mechanism: any SASLMechanism
    /// Why the exchange was cancelled, once `answer` returned `*`.
    public private(set) var error: AuthError?
    /// How many challenges were answered.
    public private(set) var challengesAnswered = 0
    private var pendingInitialLine: String?

    /// The most challenges one exchange may take; SCRAM needs 2, GSSAPI a handful.
    public static let challengeLimit = 16

    public init(_ mechanism: any SASLMechanism) {
        self.mechanism = mechanism
    }

    public var mechanismName: String { mechanism.name }

    /// The command to send: `prefix`, plus ` <base64>` (or ` =`) when the mechanism has an initial
    /// response and the line fits `lineLimit` (CR LF included; `nil` = no limit; `0` = the server
    /// takes no initial response, IMAP without SASL-IR). Otherwise the response is kept for the
    /// server's first, empty challenge.
    public mutating func command(prefix: String,
                                 lineLimit: Int? = InitialResponsePlacement.smtpCommandLineLimit) throws(AuthError) -> String {
        let initial = try mechanism.initialResponse()
        switch InitialResponsePlacement.decide(commandPrefix: prefix, initialResponse: initial, lineLimit: lineLimit) {
        case .commandLine(let argument):
            return "\(prefix) \(argument)"
        case .afterEmptyChallenge(let line):
            pendingInitialLine = line
            return prefix
        case .none:
            return prefix
        }
    }

    /// The line answering one challenge: the text after `334 ` (SMTP) or `+ ` (IMAP).
    public mutating func answer(challenge text: String) -> String {
        guard error == nil else { return SASLBase64.cancel }
        guard challengesAnswered < Self.challengeLimit else {
            return cancel(AuthError(.protocolViolation("more than \(Self.challengeLimit) challenges"), mechanism: mechanism.name))
        }
        challengesAnswered += 1
        do {
            let challenge = try SASLBase64.decodeChallenge(text, mechanism: mechanism.name)
            if let pending = pendingInitialLine, challenge.isEmpty {
                pendingInitialLine = nil
                return pending
            }
            pendingInitialLine = nil
            return SASLBase64.encode(try mechanism.respond(to: challenge))
        } catch {
            return cancel(error)
        }
    }

    /// The server said success (`235`, tagged `OK`); `additionalData` is base64 success data
    /// where the protocol carries it (RFC 4422 §3.6). Throws when the mechanism's check of the
    /// server fails (a SCRAM server signature that is missing or wrong).
    public mutating func succeeded(additionalData: String? = nil) throws(AuthError) {
        if let error { throw error }
        let data = try additionalData.map { (text: String) throws(AuthError) -> [UInt8] in
            try SASLBase64.decodeChallenge(text, mechanism: mechanism.name)
        }
        try mechanism.verifySuccess(data)
    }

    /// What the mechanism learnt from the server about a failure (the OAuth error report, the
    /// SCRAM server error), or the reason the exchange was cancelled.
    public var failureExplanation: String? {
        mechanism.failureExplanation ?? error.map(\.description)
    }

    private mutating func cancel(_ reason: AuthError) -> String {
        error = reason
        return SASLBase64.cancel
    }
}
