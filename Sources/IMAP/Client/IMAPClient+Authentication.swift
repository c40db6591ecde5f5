public import Auth
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension IMAPClient {
    /// LOGIN (RFC 9051 §6.2.3). Refused before sending when the server announced LOGINDISABLED,
    /// and outside TLS unless `allowPlaintextPasswordUnsafe`. The transcript shows
    /// `LOGIN alice <redacted: credentials of alice>`. A wrong password is `.no` at stage LOGIN.
    public func login(user: String, password: String, allowPlaintextPasswordUnsafe: Bool = false) async throws {
        if has(.loginDisabled) {
            throw fail(.loginDisabled, stage: IMAPStage.login,
                       evidence: "the server announced LOGINDISABLED; use AUTHENTICATE (or TLS first)")
        }
        if !isTLS && !allowPlaintextPasswordUnsafe {
            throw fail(.tlsRequired, stage: IMAPStage.login,
                       evidence: "LOGIN would send the password in clear text; use TLS or allowPlaintextPasswordUnsafe")
        }
        let label = Credentials.password(user: user, password: password).redactedLabel
        let (ok, _) = try await run([.atom("LOGIN"), .astring(user), .secret(Array(password.utf8), label: label)],
                                    stage: IMAPStage.login)
        try await authenticated(ok)
    }

    /// AUTHENTICATE (RFC 9051 §6.2.2) with the mechanism `selection` picks from the server's
    /// `AUTH=` capabilities; the initial response goes on the command line when the server offers
    /// SASL-IR (RFC 4959), else after the first, empty, challenge. Challenges and responses are
    /// base64; responses never reach the transcript. A refusal is `.no` at stage AUTH.
    public func authenticate(_ credentials: Credentials, selection: MechanismSelection = MechanismSelection()) async throws {
        try await settleStream()
        await setStage(IMAPStage.auth)
        let offered = capabilities.compactMap(\.authMechanism)
        let mechanism: any SASLMechanism
        do {
            mechanism = try selection.choose(offered: offered, credentials: credentials, encrypted: isTLS,
                                             serviceName: "imap", host: connection.endpoint.host)
        } catch {
            var e = fail(.authentication, stage: IMAPStage.auth)
            e.auth = error
            throw e
        }
        try await authenticate(using: mechanism, redactedLabel: credentials.redactedLabel)
    }

    /// AUTHENTICATE with a mechanism the caller built (RFC 9051 §6.2.2, RFC 4959 SASL-IR).
    /// `redactedLabel` is what the transcript shows in place of the exchange
    /// (`credentials of shop@example.com`). The caller is responsible for not sending a reusable
    /// secret outside TLS.
    public func authenticate(using chosen: any SASLMechanism, redactedLabel: String) async throws {
        try await settleStream()
        await setStage(IMAPStage.auth)
        var mechanism = chosen
        let tag = encoder.nextTag()
        var pending: [UInt8]?
        do {
            pending = try mechanism.initialResponse()
        } catch {
            var e = fail(.authentication, stage: IMAPStage.auth)
            e.auth = error
            throw e
        }
        let visible = "\(tag) AUTHENTICATE \(mechanism.name)"
        if let ir = pending, has(.saslIR) {
            pending = nil
            let encoded = ir.isEmpty ? "=" : Data(ir).base64EncodedString()
            try await writeLine(visible + " " + encoded, log: .redacted(visible, secret: redactedLabel))
        } else {
            try await writeLine(visible)
        }
        var collected = Collected()
        while true {
            let event = try await nextEvent()
            switch event {
            case .continuation(let data):
                let response: [UInt8]
                if let ir = pending {
                    pending = nil
                    response = ir
                } else {
                    do {
                        guard let challenge = Data(base64Encoded: Data(data)) else {
                            throw AuthError(.protocolViolation("the challenge is not base64"), mechanism: mechanism.name)
                        }
                        response = try mechanism.respond(to: [UInt8](challenge))
                    } catch let error as AuthError {
                        // RFC 9051 §6.2.2: "*" cancels the exchange; the server answers BAD.
                        try await writeLine("*", log: .line("* (cancelling authentication)"))
                        _ = try await finish(tag: tag, firstResponse: nil, into: &collected)
                        var e = fail(.authentication, stage: IMAPStage.auth)
                        e.auth = error
                        throw e
                    }
                }
                try await writeLine(response.isEmpty ? "" : Data(response).base64EncodedString(),
                                    log: .redacted("", secret: "SASL response: \(redactedLabel)"))
            case .tagged(let t) where t.tag == tag:
                guard t.status.condition == .ok else {
                    var e = fail(t.status.condition == .bad ? .bad : .no, stage: IMAPStage.auth, response: t.status,
                                 evidence: mechanism.failureExplanation)
                    e.tag = tag
                    e.command = "\(visible) <redacted>"
                    throw e
                }
                do {
                    // IMAP has no "additional data with success": a final challenge carried it.
                    try mechanism.verifySuccess(nil)
                } catch {
                    await close()
                    var e = fail(.authentication, stage: IMAPStage.auth, evidence: "the server could not prove its identity")
                    e.auth = error
                    throw e
                }
                try await authenticated(t)
                return
            default:
                collected.take(event)
            }
        }
    }

    /// After a successful login: the state, and the capabilities (from the OK's code, or asked).
    private func authenticated(_ ok: TaggedResponse) async throws {
        state = .authenticated
        if case .capability(let caps)? = ok.status.code {
            setCapabilities(caps)
        } else {
            try await capability()
        }
    }
}
