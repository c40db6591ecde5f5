import Foundation
@testable import NetIO
@testable import Diagnosis

/// Builders for the failures the catalogue tests replay.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18

    static func smtp(_ stage: String, _ reply: String, host: String = "mail.example.net", port: UInt16 = 587,
                     user: String? = "shop@example.net") -> FailureEvidence {
        FailureEvidence(protocol: .smtp, stage: stage, text: reply, host: host, port: port, security: .startTLS,
                        user: user, now: now)
    }

    static func imap(_ stage: String, _ response: String, host: String = "imap.example.net",
                     user: String? = "shop@example.net") -> FailureEvidence {
        FailureEvidence(protocol: .imap, stage: stage, text: response, host: host, port: 993, security: .implicitTLS,
                        user: user, now: now)
    }

    /// A Gmail SMTP reply (smtp.gmail.com).
    static func gmail(_ stage: String, _ reply: String, user: String? = "shop@example.net") -> FailureEvidence {
        smtp(stage, reply, host: "smtp.gmail.com", user: user)
    }

    /// A Microsoft 365 SMTP reply (smtp.office365.com).
    static func m365(_ stage: String, _ reply: String, user: String? = "shop@example.net") -> FailureEvidence {
        smtp(stage, reply, host: "smtp.office365.com", user: user)
    }

    /// A SendGrid SMTP reply (smtp.sendgrid.net).
    static func sendgrid(_ stage: String, _ reply: String, user: String? = "shop@example.net") -> FailureEvidence {
        smtp(stage, reply, host: "smtp.sendgrid.net", user: user)
    }

    /// A Gmail IMAP response (imap.gmail.com).
    static func gmailIMAP(_ stage: String, _ response: String) -> FailureEvidence {
        imap(stage, response, host: "imap.gmail.com")
    }

    /// A Microsoft 365 / Outlook.com IMAP response (outlook.office365.com).
    static func m365IMAP(_ stage: String, _ response: String, user: String? = "shop@example.net") -> FailureEvidence {
        imap(stage, response, host: "outlook.office365.com", user: user)
    }

    static func net(_ kind: NetIOError.Kind, _ stage: Stage, port: UInt16 = 587, security: Security = .startTLS,
                    evidence: String = "", report: TLSReport? = nil, proto: MailProtocol = .smtp) -> FailureEvidence {
        var error = NetIOError(kind: kind, stage: stage, evidence: evidence.isEmpty ? nil : evidence,
                               endpoint: Endpoint(host: "mail.example.net", port: port), tlsReport: report)
        error.attempts = []
        let server = ServerSettings(protocol: proto, host: "mail.example.net", port: port, security: security)
        return FailureEvidence(error, protocol: proto, server: server, now: now)
    }

    static func observed(_ o: ClientObservation, stage: String, proto: MailProtocol = .smtp) -> FailureEvidence {
        FailureEvidence(protocol: proto, stage: stage, host: "mail.example.net", port: 143, security: .startTLS,
                        observation: o, now: now)
    }

    static let day: TimeInterval = 86_400

    /// A report for a leaf certificate with these dates and chain verdict.
    static func report(chainError: String?, notBefore: Date = now - 30 * day, notAfter: Date = now + 60 * day,
                       selfIssued: Bool = false, names: [String] = ["mail.example.net"],
                       hostnameMatches: Bool = true) -> TLSReport {
        let leaf = CertificateInfo(subject: "CN=\(names[0])", issuer: selfIssued ? "CN=\(names[0])" : "CN=Example CA",
                                   subjectAltNames: names, notBefore: notBefore, notAfter: notAfter,
                                   sha256: String(repeating: "ab", count: 32))
        return TLSReport(version: "TLS 1.3", cipher: "TLS_AES_256_GCM_SHA384", serverNameSent: "mail.example.net",
                         hostname: "mail.example.net", chain: [leaf], trustSource: "system store",
                         chainTrusted: chainError == nil, chainError: chainError, hostnameMatches: hostnameMatches,
                         pinMatches: nil, accepted: false)
    }

    static func tls(_ failure: TLSFailure, _ report: TLSReport?, evidence: String = "",
                    port: UInt16 = 465) -> FailureEvidence {
        net(.tls(failure), .tls, port: port, security: .implicitTLS, evidence: evidence, report: report)
    }

    /// One real-world failure per catalogue entry: the id it must get, and the failure.
    /// Replies are quoted from diagnostics.md §3 (E-numbers) or from the servers named.
    static let cases: [(id: String, evidence: FailureEvidence)] = [
        // Transport (E39, E40, E47–E51)
        ("network.dns-not-found", net(.dns, .resolve, evidence: "smtp.gmail.con: Name or service not known")),
        ("network.dns-timeout", net(.timeout, .resolve, evidence: "no answer from the resolver")),
        ("network.connection-refused", net(.refused, .connect, evidence: "127.0.0.1:587: Connection refused")),
        ("network.port25-blocked", net(.timeout, .connect, port: 25, evidence: "timed out")),
        ("network.connect-timeout", net(.timeout, .connect, port: 587, evidence: "timed out")),
        ("network.unreachable", net(.unreachable, .connect, evidence: "Network is unreachable")),
        ("network.connection-reset", net(.closedByPeer, .tls, evidence: "connection reset by the server")),
        ("network.closed-before-greeting", net(.closedByPeer, .greeting, evidence: "end of stream")),
        ("port.starttls-on-implicit-tls-port", net(.tlsOnPlaintextPort, .greeting, port: 465,
                                                   evidence: "no greeting; the server answered a TLS ClientHello")),
        ("port.silent-implicit-tls-port", net(.timeout, .greeting, port: 465, evidence: "waiting for the server")),
        ("port.provider-has-no-465", FailureEvidence(protocol: .smtp, stage: "greeting", text: "waiting for the server",
                                                     transport: .timeout, host: "smtp.postmarkapp.com", port: 465,
                                                     security: .implicitTLS, now: now)),
        ("port.implicit-tls-on-starttls-port", net(.plaintextOnTLSPort, .tls, port: 587, security: .implicitTLS,
                                                   evidence: "220 mail.example.net ESMTP Postfix")),
        ("port.implicit-tls-on-starttls-port-openssl",
         net(.system(errno: 0), .tls, port: 587, security: .implicitTLS,
             evidence: "error:0A00010B:SSL routines:ssl3_get_record:wrong version number")),
        ("network.greeting-timeout", net(.timeout, .greeting, port: 587, evidence: "waiting for the server")),
        ("starttls.response-injection", net(.startTLSInjection, .tls, evidence: "250 injected")),
        ("network.not-a-mail-server", net(.lineTooLong(limit: 8192), .greeting, port: 8080)),
        // TLS (E41–E46)
        ("tls.clock-behind", tls(.untrustedChain, report(chainError: "certificate is not yet valid", notBefore: now + 400 * day,
                                                          notAfter: now + 500 * day))),
        ("tls.certificate-expired", tls(.untrustedChain, report(chainError: "certificate has expired (not valid after 2026-01-03)",
                                                                 notBefore: now - 400 * day, notAfter: now - 300 * day))),
        ("tls.self-signed", tls(.untrustedChain, report(chainError: "self-signed certificate", selfIssued: true))),
        ("tls.untrusted-root", tls(.untrustedChain, report(chainError: "self-signed certificate in certificate chain (certificate 1 of the chain)"))),
        ("tls.unknown-issuer", tls(.untrustedChain, report(chainError: "unable to get local issuer certificate"))),
        ("tls.name-mismatch", tls(.hostnameMismatch, report(chainError: nil, names: ["*.hoster.example"], hostnameMatches: false))),
        ("tls.pin-mismatch", tls(.pinMismatch, report(chainError: nil))),
        ("tls.client-certificate-required", tls(.handshake, nil, evidence: "tlsv13 alert certificate required")),
        ("tls.protocol-too-old", tls(.protocolTooOld, nil, evidence: "unsupported protocol")),
        ("tls.handshake-failed", tls(.handshake, nil, evidence: "sslv3 alert handshake failure")),
        ("tls.untrusted", tls(.untrustedChain, report(chainError: "certificate signature failure"))),
        ("starttls.not-offered", observed(.startTLSNotOffered, stage: "EHLO")),
        ("starttls.refused", smtp("STARTTLS", "454 4.7.0 TLS not available due to local problem")),
        ("starttls.not-supported", smtp("STARTTLS", "502 5.5.1 Unrecognized command")),
        ("starttls.already-active", smtp("STARTTLS", "554 5.5.1 Error: TLS already active", port: 465)),
        ("smtp.must-starttls-first", gmail("AUTH", "530 5.7.0 Must issue a STARTTLS command first. d2-20020a05 - gsmtp")),
        // Logins (E01–E20)
        ("auth.gmail-bad-credentials", gmail("AUTH", """
            535-5.7.8 Username and Password not accepted. Learn more at
            535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1-20020a05 - gsmtp
            """, user: "shop@gmail.com")),
        ("auth.gmail-app-password-required", gmail("AUTH", """
            534-5.7.9 Application-specific password required. Learn more at
            534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor x5-20020a - gsmtp
            """)),
        ("auth.gmail-web-login-required", gmail("AUTH", """
            534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1> Please log in via your web browser and
            534 5.7.14 then try again. - gsmtp
            """)),
        ("auth.too-many-login-attempts", gmail("AUTH", "454 4.7.0 Too many login attempts, please try again later. - gsmtp")),
        ("auth.microsoft-bad-credentials", m365("AUTH", "535 5.7.3 Authentication unsuccessful [LO4P123CA0042.GBRP123.PROD.OUTLOOK.COM]",
                                                user: "shop@contoso.example")),
        ("auth.outlook-password-login-retired", smtp("AUTH", "535 5.7.3 Authentication unsuccessful [BN9PR03CA0123.namprd03.prod.outlook.com]",
                                                     host: "smtp-mail.outlook.com", user: "shop@hotmail.com")),
        ("auth.basic-auth-disabled", m365("AUTH", "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [AM0PR02CA0001.eurprd02.prod.outlook.com]")),
        ("auth.m365-basic-auth-retired", m365("AUTH", "550 5.7.30 Basic authentication is not supported for Client Submission.")),
        ("auth.m365-smtp-auth-disabled", m365("AUTH", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [SN4PR0201CA0051.namprd02.prod.outlook.com]")),
        ("auth.m365-security-defaults", m365("AUTH", "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator. [DM6PR02CA0123.namprd02.prod.outlook.com]")),
        ("auth.m365-conditional-access", m365("AUTH", "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. [MN2PR05CA0063.namprd05.prod.outlook.com]")),
        ("auth.m365-login-blocked", m365("AUTH", "535 5.7.139 Authentication unsuccessful, account disabled [XX.prod.outlook.com]")),
        ("auth.yahoo-too-many-bad-attempts", smtp("AUTH", "535 5.7.0 (#AUTH005) Too many bad auth attempts.",
                                                  host: "smtp.mail.yahoo.com", user: "shop@yahoo.com")),
        ("auth.yahoo-app-password", smtp("AUTH", "535 5.7.0 Authentication failed", host: "smtp.aol.com", user: "shop@aol.com")),
        ("auth.icloud-app-password", smtp("AUTH", "535 5.7.8 Authentication failed", host: "smtp.mail.me.com", user: "shop@icloud.com")),
        ("auth.fastmail-app-password", imap("AUTHENTICATE", "a1 NO [AUTHENTICATIONFAILED] Authentication failed",
                                            host: "imap.fastmail.com")),
        ("auth.zoho-login-failed", smtp("AUTH", "535 Authentication Failed", host: "smtp.zoho.com")),
        ("auth.gmx-access-disabled", imap("LOGIN", "a1 NO Login failed", host: "imap.gmx.net")),
        ("auth.sendgrid-user-must-be-apikey", sendgrid("AUTH", "535 Authentication failed: Bad username / password",
                                                       user: "shop@example.net")),
        ("auth.sendgrid-bad-key", sendgrid("AUTH", "535 Authentication failed: The provided authorization grant is invalid, expired, or revoked",
                                           user: "apikey")),
        ("auth.ses-bad-credentials", smtp("AUTH", "535 Authentication Credentials Invalid",
                                          host: "email-smtp.us-east-1.amazonaws.com", user: "AKIAIOSFODNN7EXAMPLE")),
        ("auth.mailgun-bad-credentials", smtp("AUTH", "535 5.7.0 Mailgun is not loving your login or password",
                                              host: "smtp.mailgun.org")),
        ("auth.postmark-bad-token", smtp("AUTH", "535 5.7.8 Authentication failed", host: "smtp.postmarkapp.com")),
        ("auth.brevo-bad-key", smtp("AUTH", "535 5.7.8 Authentication failed", host: "smtp-relay.brevo.com")),
        ("auth.mandrill-bad-key", smtp("AUTH", "535 Incorrect authentication data", host: "smtp.mandrillapp.com")),
        ("auth.oauth-token-rejected", gmail("AUTH", "334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==")),
        ("auth.oauth-wrong-scope", imap("AUTHENTICATE", "+ eyJzdGF0dXMiOiJpbnN1ZmZpY2llbnRfc2NvcGUiLCJzY29wZSI6Im1haWwifQ==")),
        ("auth.not-offered", observed(.authNotOffered, stage: "AUTH")),
        ("auth.no-common-mechanism", observed(.noCommonMechanism, stage: "AUTH")),
        ("auth.mechanism-unsupported", smtp("AUTH", "504 5.5.4 Unrecognized authentication type")),
        ("auth.wrong-password", smtp("AUTH", "535 5.7.8 Error: authentication failed: authentication failure")),  // Postfix + Dovecot SASL
        ("auth.temporary-failure", smtp("AUTH", "454 4.7.0 Temporary authentication failure")),
        ("smtp.authentication-required", m365("MAIL", "530 5.7.57 Client not authenticated to send mail. [XX.prod.outlook.com]")),
        ("smtp.sendgrid-unauthenticated", sendgrid("MAIL", "550 Unauthenticated senders not allowed")),
        // Sending (E21–E37)
        ("sender.send-as-denied", m365("DATA", "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message Cannot submit message.")),
        ("sender.m365-no-send-as-permission", m365("MAIL", "550 5.7.60 SMTP; Client does not have permissions to send as this sender. [XX.prod.outlook.com]")),
        ("sender.not-owned-by-login", smtp("RCPT", "553 5.7.1 <orders@example.net>: Sender address rejected: not owned by user shop@example.net")),
        ("sender.zoho-relaying-disallowed", smtp("MAIL", "553 Relaying disallowed as orders@example.net", host: "smtp.zoho.com")),
        ("sender.sendgrid-unverified", sendgrid("MAIL", "550 The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements",
                                                user: "apikey")),
        ("sender.ses-unverified", smtp("DATA", "554 Message rejected: Email address is not verified. The following identities failed the check in region US-EAST-1: shop@example.net",
                                       host: "email-smtp.us-east-1.amazonaws.com")),
        ("sender.mailgun-sandbox", smtp("RCPT", "421 Domain sandbox123.mailgun.org is not allowed to send: Sandbox subdomains are for test purposes only. Please add your own domain or add the address to authorized recipients in Account Settings.",
                                        host: "smtp.mailgun.org")),
        ("sender.bad-syntax", gmail("MAIL", "555 5.5.2 Syntax error. d2-20020a05 - gsmtp")),
        ("sender.domain-not-found", smtp("MAIL", "450 4.1.8 <shop@example.invalid>: Sender address rejected: Domain not found")),
        ("sender.rejected", smtp("MAIL", "550 5.7.0 Sender refused by policy")),
        ("relay.workspace-relay-denied", smtp("RCPT", "550 5.7.0 Mail relay denied [203.0.113.9]. Invalid credentials for relay for one of the domains in: example.net (as obtained from HELO and MAIL FROM). Email is being sent from a domain or IP address which isn't registered in your Workspace account. - gsmtp",
                                              host: "smtp-relay.gmail.com")),
        ("relay.denied", smtp("RCPT", "554 5.7.1 <customer@example.org>: Relay access denied", port: 25)),
        ("limit.gmail-daily", gmail("MAIL", "550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 - gsmtp")),
        ("limit.ses-throttled", smtp("DATA", "454 Throttling failure: Maximum sending rate exceeded.",
                                     host: "email-smtp.eu-west-1.amazonaws.com")),
        ("limit.m365-recipients", m365("DATA", "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message Cannot submit message.")),
        ("limit.m365-concurrency", m365("MAIL", "432 4.3.2 Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending for more information. [XX.prod.outlook.com]")),
        ("limit.too-many-connections", smtp("greeting", "421 4.7.0 mail.example.net Error: too many connections from 203.0.113.9")),
        ("limit.daily-quota", smtp("MAIL", "550 5.7.1 Daily sending quota exceeded for this account")),
        ("rcpt.greylisted", smtp("RCPT", "450 4.2.0 <customer@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html", port: 25)),
        ("rcpt.try-again-later", smtp("RCPT", "451 4.7.1 Please try again later", port: 25)),
        ("policy.blocklisted", smtp("greeting", "554 5.7.1 Service unavailable; Client host [203.0.113.9] blocked using zen.spamhaus.org", port: 25)),
        ("message.too-big", smtp("DATA", "552 5.3.4 Message size exceeds fixed maximum message size")),
        ("message.too-big-by-code", smtp("DATA", "552 5.3.4 Error: message file too long")),
        ("message.exceeds-advertised-size", observed(.messageExceedsAdvertisedSize, stage: "MAIL")),
        ("rcpt.mailbox-unavailable", smtp("RCPT", "550 5.1.1 Mailbox customer@example.org unknown", port: 25)),
        ("rcpt.unknown-user", smtp("RCPT", "550 <customer@example.org>: Recipient address rejected: User unknown in virtual mailbox table")),
        ("rcpt.mailbox-full", gmail("RCPT", "452 4.2.2 The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp")),
        ("rcpt.mailbox-full-by-code", smtp("DATA", "552 5.2.2 Storage exhausted")),
        ("policy.sender-unauthenticated", smtp("DATA", """
            550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to
            550 5.7.26 authenticate with either SPF or DKIM. - gsmtp
            """, host: "gmail-smtp-in.l.google.com", port: 25)),
        ("policy.spam", smtp("DATA", """
            550-5.7.1 [203.0.113.9] Our system has detected that this message is likely unsolicited mail. To reduce the
            550 5.7.1 amount of spam sent to Gmail, this message has been blocked. - gsmtp
            """, host: "gmail-smtp-in.l.google.com", port: 25)),
        ("policy.rejected", smtp("RCPT", "550 5.7.1 Recipient not authorized")),
        ("greeting.refused", smtp("greeting", "554 mail.example.net ESMTP not accepting connections")),
        ("greeting.busy", smtp("greeting", "421 4.3.2 Service not available, closing transmission channel")),
        // IMAP (E04–E06, E14–E15)
        ("imap.gmail-bad-credentials", gmailIMAP("LOGIN", "a1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)")),
        ("imap.gmail-app-password-required", gmailIMAP("LOGIN", "a1 NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)")),
        ("imap.gmail-imap-disabled", gmailIMAP("LOGIN", "a1 NO [ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access. (Failure)")),
        ("imap.microsoft-login-failed", m365IMAP("AUTHENTICATE", "a1 NO AUTHENTICATE failed.", user: "shop@contoso.example")),
        ("imap.outlook-imap-login-failed", m365IMAP("LOGIN", "a1 NO LOGIN failed.", user: "shop@outlook.com")),
        ("imap.authenticated-not-connected", m365IMAP("SELECT", "A3 BAD User is authenticated but not connected.")),
        // A provider with IMAP switched off in the account's settings (the common wording).
        ("imap.login-disabled", imap("LOGIN", "a1 NO [ALERT] IMAP access is disabled for this account. Please enable IMAP in your mail settings.")),
        ("imap.logindisabled-capability", imap("LOGIN", "* CAPABILITY IMAP4rev1 SASL-IR LITERAL+ ID ENABLE STARTTLS LOGINDISABLED")),
        ("imap.privacy-required", imap("LOGIN", "a1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.")),
        ("imap.authentication-failed", imap("LOGIN", "a1 NO [AUTHENTICATIONFAILED] Authentication failed.")),  // Dovecot
        ("imap.too-many-connections", imap("LOGIN", "a1 NO [LIMIT] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)")),
        ("imap.mailbox-not-found", imap("SELECT", "a2 NO [NONEXISTENT] Mailbox doesn't exist: Sent")),
        ("imap.unavailable", imap("SELECT", "a2 NO [UNAVAILABLE] Temporary authentication failure")),
        ("imap.greeting-bye", imap("greeting", "* BYE Too many users, try later")),
    ]
}
