import Foundation
import Auth
import IMAP
import NetIO
import SMTP
import Testing
@testable import Diagnosis

/// `FailureEvidence` from the clients' own errors: every probe failure reaches the catalogue with
/// its stage, code, enhanced code, text and transport evidence.
struct EvidenceAdapterTests {
    let gmail = ServerSettings(protocol: .smtp, host: "smtp.gmail.com", port: 465, security: .implicitTLS,
                               credentials: .password(user: "shop@gmail.com", password: "p4ss-word-x"))

    @Test func smtpReplyKeepsCodeEnhancedCodeAndText() {
        let reply = SMTPReply(code: 535, lines: ["5.7.8 Username and Password not accepted. For more information, go to",
                                                 "5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp"])
        let error = SMTPError(.authenticationFailed, stage: .auth, reply: reply)
        let e = FailureEvidence(error, server: gmail)
        #expect(e.stage == "AUTH")
        #expect(e.code == 535)
        #expect(e.enhancedCode == "5.7.8")
        #expect(e.user == "shop@gmail.com")
        #expect(DiagnosisCatalogue.standard.diagnose(error, server: gmail).id == "auth.gmail-bad-credentials")
    }

    @Test func smtpObservationsBecomeCatalogueEntries() {
        let s = ServerSettings(protocol: .smtp, host: "mail.example.com", port: 587, security: .startTLS)
        let noTLS = SMTPError(.startTLSNotOffered, stage: .startTLS, evidence: "EHLO offered: SIZE")
        #expect(DiagnosisCatalogue.standard.diagnose(noTLS, server: s).id == "starttls.not-offered")
        let noAuth = SMTPError(.authNotOffered, stage: .auth, evidence: "EHLO offered: SIZE")
        #expect(FailureEvidence(noAuth, server: s).observation == .authNotOffered)
        #expect(DiagnosisCatalogue.standard.diagnose(noAuth, server: s).id == "auth.not-offered")
    }

    @Test func smtpTransportFailureKeepsTheNetIOEvidence() {
        var error = SMTPError(.network, stage: .connect)
        error.netIO = NetIOError(kind: .refused, stage: .connect, evidence: "connect 127.0.0.1:2: refused",
                                 endpoint: Endpoint(host: "127.0.0.1", port: 2))
        let e = FailureEvidence(error)
        #expect(e.transport == .refused)
        #expect(e.port == 2)
        #expect(DiagnosisCatalogue.standard.diagnose(error).id == "network.connection-refused")
    }

    @Test func oauthExplanationReachesTheCatalogue() {
        var error = SMTPError(.authenticationFailed, stage: .auth,
                              reply: SMTPReply(code: 535, lines: ["5.7.8 Authentication failed"]))
        error.explanation = #"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#
        let s = ServerSettings(protocol: .smtp, host: "smtp.example.net", port: 465, security: .implicitTLS,
                               credentials: .oauth2(user: "shop@example.net", accessToken: "ya29.tok"))
        #expect(FailureEvidence(error, server: s).text.contains("\"status\":\"401\""))
        #expect(DiagnosisCatalogue.standard.diagnose(error, server: s).id == "auth.oauth-token-rejected")
    }

    @Test func imapResponseCodeIsQuoted() {
        let error = IMAPError(kind: .no, stage: IMAPStage.login,
                              response: StatusResponse(condition: .no, code: .other(name: "AUTHENTICATIONFAILED", text: nil),
                                                       text: "Authentication failed."))
        let s = ServerSettings(protocol: .imap, host: "imap.example.com", port: 993,
                               credentials: .password(user: "shop@example.com", password: "xyz-123"))
        let d = DiagnosisCatalogue.standard.diagnose(error, server: s)
        #expect(d.id == "imap.authentication-failed")
        #expect(d.evidence == "NO [AUTHENTICATIONFAILED] Authentication failed.")
        #expect(d.cause.contains("shop@example.com"))
    }

    @Test func imapLoginDisabledAndMissingSTARTTLS() {
        let s = ServerSettings(protocol: .imap, host: "imap.example.com", port: 143, security: .startTLS)
        let disabled = IMAPError(kind: .loginDisabled, stage: IMAPStage.login, evidence: "the server announced LOGINDISABLED")
        #expect(FailureEvidence(disabled, server: s).observation == .loginDisabled)
        #expect(DiagnosisCatalogue.standard.diagnose(disabled, server: s).id == "imap.logindisabled-capability")
        // The observation alone (no capability quoted) gives the same entry.
        let observed = IMAPError(kind: .loginDisabled, stage: IMAPStage.login, evidence: "no login before TLS")
        #expect(DiagnosisCatalogue.standard.diagnose(observed, server: s).id == "imap.logindisabled-capability")
        // A provider's refusal because IMAP is off for the account is the other entry.
        let off = FailureEvidence.imapResponse(stage: "LOGIN", text: "a1 NO [ALERT] IMAP access is disabled for this account",
                                               server: s)
        #expect(DiagnosisCatalogue.standard.diagnose(off).id == "imap.login-disabled")
        let noTLS = IMAPError(kind: .tlsRequired, stage: IMAPStage.startTLS, evidence: "the server does not offer STARTTLS")
        #expect(DiagnosisCatalogue.standard.diagnose(noTLS, server: s).id == "starttls.not-offered")
    }

    @Test func imapTransportFailure() {
        var error = IMAPError(kind: .transport, stage: .resolve)
        error.transport = NetIOError(kind: .dns, stage: .resolve, evidence: "imap.nowhere.invalid: name not known",
                                     endpoint: Endpoint(host: "imap.nowhere.invalid", port: 993))
        let d = DiagnosisCatalogue.standard.diagnose(error)
        #expect(d.stage == "DNS")
        #expect(d.id == "network.dns-not-found", "\(d.id)")
    }
}

/// The opening steps timed from the transcript's stamps.
struct SessionTimelineTests {
    @Test func stepsAreTimedFromTheTranscriptLines() {
        let start = ISO8601DateFormatter().date(from: "2026-11-22T10:15:02Z")!
        let lines = [
            "2026-11-22T10:15:01.900Z === an older session",
            "2026-11-22T10:15:02.030Z === connect 192.0.2.1:465: connected (20 ms)",
            "2026-11-22T10:15:02.090Z === TLS 1.3 TLS_AES_256_GCM_SHA384, SNI mx.example.com",
            "2026-11-22T10:15:02.095Z === certificate CN=mx.example.com",
            "2026-11-22T10:15:02.190Z <~  220 mx.example.com ESMTP",
        ]
        let t = SessionTimeline.read(lines, since: start)
        #expect(t == SessionTimeline(dns: 10, connect: 20, tls: 60, greeting: 100))
    }

    @Test func plainSessionHasNoTLSStep() {
        let start = ISO8601DateFormatter().date(from: "2026-11-22T10:15:02Z")!
        let t = SessionTimeline.read(["2026-11-22T10:15:02.001Z === connect 127.0.0.1:587: connected (1 ms)",
                                      "2026-11-22T10:15:02.004Z <-  220 ready"], since: start)
        #expect(t == SessionTimeline(dns: 0, connect: 1, tls: nil, greeting: 3))
    }
}
