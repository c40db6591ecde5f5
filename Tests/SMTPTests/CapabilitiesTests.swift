import Testing
@testable import SMTP

/// EHLO keywords (RFC 5321 §4.1.1.1) and the extensions the client uses.
@Suite("EHLO capabilities")
struct CapabilitiesTests {
    func caps(_ lines: [String]) -> SMTPCapabilities {
        SMTPCapabilities(reply: SMTPReply(code: 250, lines: lines))
    }

    @Test func parsesPostfixAfterSTARTTLS() {
        let c = caps(["localhost", "PIPELINING", "SIZE 52428800", "ETRN", "AUTH PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256",
                      "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"])
        #expect(c.serverGreeting == "localhost")
        #expect(c.isExtended)
        #expect(c.pipelining && c.enhancedStatusCodes && c.eightBitMIME && c.dsn && c.smtpUTF8 && c.chunking)
        #expect(!c.startTLS && !c.binaryMIME)
        #expect(c.supportsSize && c.sizeLimit == 52_428_800)
        #expect(c.authMechanisms == ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"])
        #expect(c.supports("etrn"))
    }

    @Test func mergesTheOldAuthEqualsForm() {
        let c = caps(["mail.example.com", "AUTH LOGIN PLAIN", "AUTH=LOGIN PLAIN XOAUTH2", "STARTTLS"])
        #expect(c.authMechanisms == ["LOGIN", "PLAIN", "XOAUTH2"])
        #expect(c.startTLS)
        #expect(caps(["x", "AUTH=PLAIN"]).authMechanisms == ["PLAIN"])
    }

    @Test func sizeWithoutALimit() {
        #expect(caps(["x", "SIZE"]).supportsSize && caps(["x", "SIZE"]).sizeLimit == nil)
        #expect(caps(["x", "SIZE 0"]).sizeLimit == nil)
        #expect(!caps(["x"]).supportsSize)
    }

    @Test func unknownKeywordsAreKeptAndCaseDoesNotMatter() {
        let c = caps(["x", "pipelining", "X-EXPS GSSAPI NTLM", "XCLIENT NAME ADDR", "  ", "starttls"])
        #expect(c.pipelining && c.startTLS)
        #expect(c.parameters(of: "X-EXPS") == ["GSSAPI", "NTLM"])
        #expect(c.extensions.map(\.keyword) == ["PIPELINING", "X-EXPS", "XCLIENT", "STARTTLS"])
    }

    @Test func heloOffersNothing() {
        #expect(!SMTPCapabilities.none.isExtended)
        #expect(SMTPCapabilities.none.extensions.isEmpty)
        #expect(SMTPCapabilities.none.authMechanisms.isEmpty)
    }
}
