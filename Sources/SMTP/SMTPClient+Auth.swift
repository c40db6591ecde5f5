public import Auth
import NetIO

extension SMTPClient {
    /// Most challenge rounds one AUTH exchange may take before it is cancelled (SCRAM takes two,
    /// LOGIN two, a hostile server could go on forever).
    static let authRoundLimit = 16

    /// `AUTH` with the configured credentials and mechanism selection; returns the mechanism used.
    @discardableResult
    public func authenticate() async throws -> String {
        try await authenticate(configuration.credentials, selection: configuration.mechanism)
    }

    /// `AUTH` (RFC 4954 §4) with these credentials and selection, through any `SASLMechanism`: the initial response goes on the command
    /// line when the line fits `SMTPLimits.commandLine` octets (`=` when empty), else after the
    /// server's empty 334; each `334` challenge is base64-decoded and answered; a mechanism that
    /// cannot answer sends `*` (cancel); `235` is checked with `verifySuccess`.
    ///
    /// Credentials with no mechanism in common, or a server without AUTH, are errors: nothing is
    /// ever sent unauthenticated in their place.
    @discardableResult
    public func authenticate(_ credentials: Credentials, selection: MechanismSelection) async throws -> String {
        try await exclusively { try await authenticateSession(credentials, selection: selection) }
    }

    /// The chosen mechanism's exchange; see `authenticate(_:selection:)`.
    func authenticateSession(_ credentials: Credentials, selection: MechanismSelection) async throws -> String {
        let c = try requireConnection(.auth)
        guard let caps = capabilities else {
            throw fail(.notConnected, stage: .auth, evidence: "EHLO first")
        }
        let offered = caps.authMechanisms
        guard !offered.isEmpty else {
            transcript.diagnosis("credentials were given but the server offers no AUTH; refusing to send unauthenticated")
            throw fail(.authNotOffered, stage: .auth, evidence: "EHLO offered: \(caps.summary)")
        }
        let mechanism: any SASLMechanism
        do {
            mechanism = try selection.choose(offered: offered, credentials: credentials, encrypted: await c.isTLS,
                                             serviceName: "smtp", host: configuration.endpoint.host)
        } catch {
            transcript.diagnosis("AUTH not attempted: \(error)")
            var e = fail(.auth, stage: .auth)
            e.authError = error
            throw e
        }
        transcript.fact("AUTH \(mechanism.name) chosen from \(offered.joined(separator: " "))")
        return try await run(mechanism, label: credentials.redactedLabel)
    }

    /// `AUTH` with a mechanism the caller built (a custom or test SASL mechanism). The same
    /// rules hold: a mechanism with `sendsReusableSecret` runs only inside TLS unless the
    /// configuration allows plaintext passwords; `label` is what the transcript shows instead of
    /// the secret.
    @discardableResult
    public func authenticate(with mechanism: any SASLMechanism, label: String) async throws -> String {
        try await exclusively {
            let c = try requireConnection(.auth)
            if mechanism.sendsReusableSecret, !(await c.isTLS), !configuration.mechanism.allowPlaintextPasswordUnsafe {
                var e = fail(.auth, stage: .auth)
                e.authError = AuthError(.wouldExposeSecret(mechanism: mechanism.name), mechanism: mechanism.name)
                throw e
            }
            return try await run(mechanism, label: label)
        }
    }

    /// The exchange itself (RFC 4954 §4), for any mechanism.
    private func run(_ chosen: any SASLMechanism, label: String) async throws -> String {
        var mechanism = chosen
        let name = mechanism.name
        var pendingInitial: [UInt8]?
        let first: SMTPCommand
        do {
            if let initial = try mechanism.initialResponse() {
                let inline = SMTPCommand.auth(mechanism: name, initialResponse: initial)
                if try inline.line().utf8.count + 2 <= SMTPLimits.commandLine {
                    first = inline
                } else {
                    first = .auth(mechanism: name, initialResponse: nil)
                    pendingInitial = initial
                }
            } else {
                first = .auth(mechanism: name, initialResponse: nil)
            }
        } catch let error as AuthError {
            var e = fail(.auth, stage: .auth)
            e.authError = error
            throw e
        }
        try await writeAuth(first, label: label)
        for _ in 0..<Self.authRoundLimit {
            let reply = try await read(stage: .auth, timeout: timeouts.command, expected: [235, 334], redactChallenges: true)
            switch reply.code {
            case 235:
                do {
                    try mechanism.verifySuccess(nil)
                } catch {
                    var e = fail(.auth, stage: .auth, reply: reply)
                    e.authError = error
                    throw e
                }
                authenticatedMechanism = name
                return name
            case 334:
                let response: [UInt8]
                if let initial = pendingInitial {
                    pendingInitial = nil
                    response = initial
                } else {
                    guard let challenge = Base64.decode(reply.lines.first ?? "") else {
                        try await cancelAuth()
                        var e = fail(.auth, stage: .auth)
                        e.authError = AuthError(.protocolViolation("the 334 challenge is not base64"), mechanism: name)
                        throw e
                    }
                    do {
                        response = try mechanism.respond(to: challenge)
                    } catch {
                        try await cancelAuth()
                        var e = fail(.auth, stage: .auth)
                        e.authError = error
                        e.explanation = mechanism.failureExplanation
                        throw e
                    }
                }
                try await writeAuth(.authResponse(response), label: label)
            default:
                let refusal = [530, 534, 535, 538, 454].contains(reply.code)
                var e = fail(refusal ? .authenticationFailed : .rejected, stage: .auth, reply: reply)
                e.explanation = mechanism.failureExplanation
                throw e
            }
        }
        try await cancelAuth()
        throw fail(.auth, stage: .auth, evidence: "more than \(Self.authRoundLimit) challenges")
    }

    private func writeAuth(_ command: SMTPCommand, label: String) async throws {
        let c = try requireConnection(.auth)
        await c.setStage(.auth)
        do {
            try await SMTPWire.send([command], on: c, secretLabel: label, timeout: timeouts.command)
        } catch {
            throw await lift(error, stage: .auth)
        }
    }

    /// `*` and the server's answer (RFC 4954 §4: 501).
    private func cancelAuth() async throws {
        try await write([.authCancel], stage: .auth, timeout: timeouts.command)
        _ = try await read(stage: .auth, timeout: timeouts.command, expected: [501], redactChallenges: true)
    }
}
