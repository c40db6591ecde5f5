/// Where a SASL initial response goes (RFC 4954 §4, RFC 4959 §3): on the command line itself
/// when the whole line fits the protocol's limit, otherwise after the server's empty challenge.
///
/// ```
/// C: AUTH PLAIN AGFsaWNlAHNlY3JldA==          (fits: .commandLine)
/// C: AUTH XOAUTH2                              (too long: .afterEmptyChallenge)
/// S: 334
/// C: dXNlcj1…
/// ```
public enum InitialResponsePlacement: Sendable, Hashable {
    /// Send `prefix + " " + argument` (the argument is base64, or `=` for an empty response).
    case commandLine(argument: String)
    /// Send the command alone; when the server answers with an empty challenge (`334 ` / `+ `),
    /// send `line` (base64, or an empty line for an empty response).
    case afterEmptyChallenge(line: String)
    /// The mechanism has no initial response: send the command alone and answer challenges.
    case none

    /// The SMTP command line limit, CR LF included (RFC 5321 §4.5.3.1.4), which the AUTH line
    /// with its initial response must respect (RFC 4954 §4).
    public static let smtpCommandLineLimit = 512

    /// Decides for one command.
    /// - Parameters:
    ///   - commandPrefix: the command before the response, e.g. `AUTH PLAIN` or `A1 AUTHENTICATE PLAIN`.
    ///   - initialResponse: what `SASLMechanism.initialResponse()` returned.
    ///   - lineLimit: the longest line allowed, CR LF included; `nil` for no limit (IMAP with
    ///     SASL-IR). Pass `0` when the server cannot take an initial response at all (IMAP without
    ///     SASL-IR, RFC 4959).
    public static func decide(commandPrefix: String, initialResponse: [UInt8]?,
                              lineLimit: Int? = smtpCommandLineLimit) -> InitialResponsePlacement {
        guard let initialResponse else { return .none }
        let argument = SASLBase64.encodeInitialResponse(initialResponse)
        let lineLength = commandPrefix.utf8.count + 1 + argument.utf8.count + 2
        if let lineLimit, lineLength > lineLimit {
            return .afterEmptyChallenge(line: SASLBase64.encode(initialResponse))
        }
        return .commandLine(argument: argument)
    }
}
