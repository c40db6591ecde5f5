import TestSupport
import Testing
import Foundation
@testable import NetIO
@testable import Diagnosis

@Suite(.offCooperativePool) struct CatalogueTests {
    let catalogue = DiagnosisCatalogue.standard

    @Test func atLeastFortyEntriesWithUniqueIDs() {
        #expect(catalogue.entries.count >= 40)
        let ids = catalogue.entries.map(\.id)
        #expect(Set(ids).count == ids.count, "duplicate ids")
    }

    @Test func everyEntryHasARealWorldCase() {
        let tested = Set(Fixture.cases.map(\.id))
        let missing = catalogue.entries.map(\.id).filter { !tested.contains($0) }
        #expect(missing.isEmpty, "entries without a test case: \(missing)")
    }

    @Test func everyPatternCompiles() throws {
        for entry in catalogue.entries {
            for case .text(let pattern) in entry.conditions {
                #expect(throws: Never.self) { try NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) }
                _ = pattern
            }
        }
    }

    @Test(arguments: Fixture.cases.map(\.id))
    func entryMatchesItsReply(id: String) throws {
        let evidence = try #require(Fixture.cases.first { $0.id == id }?.evidence)
        let d = catalogue.diagnose(evidence)
        #expect(d.id == id, "got \(d.id) for \(evidence.quotedEvidence); candidates: \(catalogue.matches(evidence).map(\.id))")
        #expect(d.fromCatalogue)
        #expect(!d.cause.isEmpty && !d.fix.isEmpty)
        #expect(!d.cause.contains("{") && !d.fix.contains("{") && !d.title.contains("{"), "unfilled template in \(id)")
        if evidence.transport == nil && evidence.observation == nil {
            #expect(!d.evidence.isEmpty, "the server's words are quoted")
        }
    }

    @Test func evidenceQuotesTheWholeReplyOnOneLine() {
        let e = Fixture.smtp("AUTH", """
            535-5.7.8 Username and Password not accepted. Learn more at
            535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1 - gsmtp
            """, host: "smtp.gmail.com")
        #expect(e.code == 535)
        #expect(e.enhancedCode == "5.7.8")
        #expect(catalogue.diagnose(e).evidence
                == "535 5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials a1 - gsmtp")
    }

    @Test func mostSpecificEntryWins() {
        // A Gmail 535 matches the generic wrong-password entry too; Google's own words win.
        let gmail = Fixture.cases.first { $0.id == "auth.gmail-bad-credentials" }!.evidence
        let ids = catalogue.matches(gmail).map(\.id)
        #expect(ids.first == "auth.gmail-bad-credentials")
        #expect(ids.contains("auth.wrong-password"))

        // 5.7.139 with the tenant text beats the bare 5.7.139 entry and the generic one.
        let tenant = Fixture.cases.first { $0.id == "auth.m365-smtp-auth-disabled" }!.evidence
        let tenantIDs = catalogue.matches(tenant).map(\.id)
        #expect(tenantIDs.prefix(1) == ["auth.m365-smtp-auth-disabled"])
        #expect(tenantIDs.contains("auth.m365-login-blocked"))
        #expect(tenantIDs.contains("auth.wrong-password"))

        // The same 535 5.7.3: Microsoft 365 for a company address, retired passwords for hotmail.com.
        let company = Fixture.smtp("AUTH", "535 5.7.3 Authentication unsuccessful [X.prod.outlook.com]",
                                   host: "smtp.office365.com", user: "shop@contoso.example")
        let personal = Fixture.smtp("AUTH", "535 5.7.3 Authentication unsuccessful [X.prod.outlook.com]",
                                    host: "smtp.office365.com", user: "shop@hotmail.com")
        #expect(catalogue.diagnose(company).id == "auth.microsoft-bad-credentials")
        #expect(catalogue.diagnose(personal).id == "auth.outlook-password-login-retired")

        // SendGrid: user "apikey" → the key is wrong; any other user → the user name is the problem.
        let wrongUser = Fixture.smtp("AUTH", "535 Authentication failed: Bad username / password",
                                     host: "smtp.sendgrid.net", user: "shop@example.net")
        let rightUser = Fixture.smtp("AUTH", "535 Authentication failed: Bad username / password",
                                     host: "smtp.sendgrid.net", user: "apikey")
        #expect(catalogue.diagnose(wrongUser).id == "auth.sendgrid-user-must-be-apikey")
        #expect(catalogue.diagnose(wrongUser).fix.contains("apikey"))
        #expect(catalogue.diagnose(rightUser).id == "auth.sendgrid-bad-key")

        // Port 25 timeout is more specific than any connect timeout.
        #expect(catalogue.diagnose(Fixture.net(.timeout, .connect, port: 25)).id == "network.port25-blocked")
        #expect(catalogue.diagnose(Fixture.net(.timeout, .connect, port: 2525)).id == "network.connect-timeout")

        // iCloud refusing 465 is about iCloud, not about a generic refused port.
        let icloud = FailureEvidence(protocol: .smtp, stage: "connect", text: "Connection refused", transport: .refused,
                                     host: "smtp.mail.me.com", port: 465, security: .implicitTLS)
        #expect(catalogue.diagnose(icloud).id == "port.provider-has-no-465")
        #expect(catalogue.diagnose(icloud).title == "iCloud Mail does not offer port 465")
        #expect(catalogue.matches(icloud).map(\.id).contains("network.connection-refused"))

        // Overlapping words are told apart by stage and wording.
        #expect(catalogue.diagnose(Fixture.smtp("DATA", "554 5.7.1 Daily sending quota exceeded")).id == "limit.daily-quota")
        #expect(catalogue.diagnose(Fixture.smtp("RCPT", "552 5.2.2 Mailbox quota exceeded")).id == "rcpt.mailbox-full")
        #expect(catalogue.diagnose(Fixture.smtp("MAIL", "553 5.1.8 Sender domain does not exist")).id == "sender.domain-not-found")
        let gmailUnknown = Fixture.smtp("RCPT", "550-5.1.1 The email account that you tried to reach does not exist. Please try\n550 5.1.1 double-checking the recipient's email address - gsmtp")
        #expect(catalogue.matches(gmailUnknown).map(\.id).prefix(2) == ["rcpt.unknown-user", "rcpt.mailbox-unavailable"])

        // IMAP "too many connections" is told apart from the SMTP one.
        let imapLimit = Fixture.imap("LOGIN", "a1 NO [LIMIT] too many connections")
        #expect(catalogue.diagnose(imapLimit).id == "imap.too-many-connections")
    }

    @Test func transportEvidenceIsNotReadAsAReply() {
        let e = FailureEvidence(stage: "connect", text: "535 looks like a code", transport: .refused)
        #expect(e.code == nil)
        #expect(e.quotedEvidence == "535 looks like a code")
    }

    @Test func providerFromRepliesWhenTheHostIsCustom() {
        // The shop's own host name is a CNAME to Gmail: "- gsmtp" tells it.
        let e = Fixture.smtp("AUTH", "535-5.7.8 Username and Password not accepted. BadCredentials - gsmtp",
                             host: "mail.cornershop.example")
        #expect(e.effectiveProvider == .gmail)
        #expect(catalogue.diagnose(e).id == "auth.gmail-bad-credentials")
    }

    @Test func templatesAreFilledWithTheFacts() {
        let mismatch = catalogue.diagnose(Fixture.cases.first { $0.id == "tls.name-mismatch" }!.evidence)
        #expect(mismatch.title == "The certificate is for *.hoster.example, not mail.example.net")
        let selfSigned = catalogue.diagnose(Fixture.cases.first { $0.id == "tls.self-signed" }!.evidence)
        #expect(selfSigned.fix.contains(String(repeating: "AB:", count: 31) + "AB"), "offers the SHA-256 pin")
        let clock = catalogue.diagnose(Fixture.cases.first { $0.id == "tls.clock-behind" }!.evidence)
        #expect(clock.cause.contains("this computer's clock says 2026-11-1"))
        let expired = catalogue.diagnose(Fixture.cases.first { $0.id == "tls.certificate-expired" }!.evidence)
        #expect(expired.fix.contains("date"))
        #expect(expired.evidence.contains("certificate has expired (not valid after 2026-01-03)"), "the TLS verdict is quoted")
        let port = catalogue.diagnose(Fixture.net(.tlsOnPlaintextPort, .greeting, port: 465))
        #expect(port.fix == "Set the security to SSL/TLS for port 465; or keep STARTTLS and change the port to 587.")
        let imapPort = catalogue.diagnose(Fixture.net(.plaintextOnTLSPort, .tls, port: 143, security: .implicitTLS, proto: .imap))
        #expect(imapPort.fix == "Set the security to STARTTLS for port 143; or keep SSL/TLS and change the port to 993.")
    }

    @Test func transientFollowsTheEntry() {
        #expect(catalogue.diagnose(Fixture.cases.first { $0.id == "rcpt.greylisted" }!.evidence).isTransient)
        #expect(!catalogue.diagnose(Fixture.cases.first { $0.id == "auth.gmail-bad-credentials" }!.evidence).isTransient)
    }

    @Test func oauthChallengeIsDecoded() {
        let e = Fixture.cases.first { $0.id == "auth.oauth-token-rejected" }!.evidence
        #expect(e.decodedChallenge == #"{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"#)
        #expect(catalogue.diagnose(e).evidence.contains(#"(decoded: {"status":"400""#))
    }
}

@Suite struct FallbackTests {
    let catalogue = DiagnosisCatalogue.standard

    @Test(arguments: [
        ("AUTH", "535 5.7.8 I don't like you", "auth.wrong-password", true),  // a known stage+code is still an entry
        ("AUTH", "599 weird", "fallback.login.permanent", false),
        ("RCPT", "550 5.9.9 Computer says no", "fallback.recipient.permanent", false),
        ("MAIL", "451 4.3.0 Local error in processing", "fallback.sender.temporary", false),
        ("DATA", "554 5.6.0 Mail loop", "fallback.message.permanent", false),
        ("EHLO", "501 5.5.4 Refused", "fallback.hello.permanent", false),
        ("QUIT", "500 5.5.1 What", "fallback.other.permanent", false),
    ])
    func byStageAndClass(stage: String, reply: String, id: String, catalogued: Bool) {
        let d = catalogue.diagnose(Fixture.smtp(stage, reply))
        #expect(d.id == id)
        #expect(d.fromCatalogue == catalogued)
        #expect(!d.cause.isEmpty && !d.fix.isEmpty)
        let words = Fixture.smtp(stage, reply).plainText
        #expect(d.evidence.contains(words), "the server's words are quoted")
    }

    @Test func temporaryIsSaidToPass() {
        let d = catalogue.diagnose(Fixture.smtp("MAIL", "451 4.3.0 Local error in processing"))
        #expect(d.isTransient)
        #expect(d.cause.contains("temporary"))
        #expect(d.evidence == "451 4.3.0 Local error in processing")
    }

    @Test func imapNoAndBad() {
        let d = catalogue.diagnose(Fixture.imap("LIST", "a3 NO Something odd happened"))
        #expect(d.id == "fallback.mailbox.no")
        #expect(d.evidence == "a3 NO Something odd happened")
        #expect(!d.fromCatalogue)
    }

    @Test func transportWithoutEntry() {
        let d = catalogue.diagnose(Fixture.net(.system(errno: 5), .write, evidence: "Input/output error"))
        #expect(d.id == "fallback.other.transport")
        #expect(d.evidence == "Input/output error")
        #expect(d.cause.contains("mail.example.net"))
    }

    @Test func descriptionHasEverything() {
        let d = catalogue.diagnose(Fixture.smtp("RCPT", "550 5.9.9 Computer says no"))
        #expect(d.title == "A recipient address was refused")
        #expect(d.cause.hasPrefix("When the program was giving a recipient address, mail.example.net refused (550)"))
        #expect(d.description.contains("Computer says no"))
        #expect(d.description.contains("Fix:"))
        #expect(d.transcriptLine.hasPrefix("RCPT: "))
    }
}
