import NetIO
import Testing
@testable import SMTP

/// RFC 5321 §4.1 command lines, and refusal of injection in every argument.
@Suite("SMTP command encoder")
struct CommandEncoderTests {
    @Test func encodesTheVerbs() throws {
        #expect(try SMTPCommand.ehlo("pos-3.example.com").line() == "EHLO pos-3.example.com")
        #expect(try SMTPCommand.helo("pos-3").line() == "HELO pos-3")
        #expect(try SMTPCommand.mail(from: "", parameters: []).line() == "MAIL FROM:<>")
        #expect(try SMTPCommand.mail(from: "shop@example.com", parameters: [.size(48213), .body8BitMIME, .smtpUTF8]).line()
                == "MAIL FROM:<shop@example.com> SIZE=48213 BODY=8BITMIME SMTPUTF8")
        #expect(try SMTPCommand.rcpt(to: "c@example.net", parameters: [.notify([.failure, .delay]),
                                                                       .originalRecipient("c@example.net")]).line()
                == "RCPT TO:<c@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;c@example.net")
        #expect(try SMTPCommand.mail(from: "a@b", parameters: [.ret(.headers), .envelopeID("inv 1042+x=y")]).line()
                == "MAIL FROM:<a@b> RET=HDRS ENVID=inv+201042+2Bx+3Dy")
        #expect(try SMTPCommand.bdat(size: 1024, last: false).line() == "BDAT 1024")
        #expect(try SMTPCommand.bdat(size: 0, last: true).line() == "BDAT 0 LAST")
        #expect(try SMTPCommand.data.encoded() == Array("DATA\r\n".utf8))
        #expect(try SMTPCommand.auth(mechanism: "PLAIN", initialResponse: []).line() == "AUTH PLAIN =")
        #expect(try SMTPCommand.auth(mechanism: "PLAIN", initialResponse: Array("\0u\0p".utf8)).line() == "AUTH PLAIN AHUAcA==")
        #expect(try SMTPCommand.auth(mechanism: "LOGIN", initialResponse: nil).line() == "AUTH LOGIN")
        #expect(try SMTPCommand.authCancel.line() == "*")
        #expect(try SMTPCommand.rcpt(to: "\"john doe\"@example.com", parameters: []).line() == "RCPT TO:<\"john doe\"@example.com>")
        #expect(try SMTPCommand.rcpt(to: "jörg@exämple.de", parameters: []).line() == "RCPT TO:<jörg@exämple.de>")
    }

    static let hostile = ["a@b>\r\nDATA", "a@b\r\nRSET", "a@b\nX", "a@b\rX", "a\0@b", "a@b> SIZE=1", "<a@b>", "a b@c", "\"open@b"]

    @Test(arguments: hostile)
    func injectionInAddressesIsRefused(_ address: String) {
        for command in [SMTPCommand.mail(from: address, parameters: []), .rcpt(to: address, parameters: [])] {
            #expect {
                _ = try command.encoded()
            } throws: { ($0 as? SMTPError)?.kind == .invalidArgument }
        }
    }

    @Test func injectionInEveryOtherArgumentIsRefused() {
        let commands: [SMTPCommand] = [
            .ehlo("host\r\nMAIL FROM:<x>"), .ehlo("a b"), .ehlo(""), .helo("h\0"),
            .auth(mechanism: "PLAIN\r\nX", initialResponse: nil), .auth(mechanism: "plain", initialResponse: nil),
            .mail(from: "a@b", parameters: [SMTPParameter("SIZE", "1\r\nDATA")]),
            .mail(from: "a@b", parameters: [SMTPParameter("X\r\nY", nil)]),
            .mail(from: "a@b", parameters: [SMTPParameter("BODY", "8BIT MIME")]),
            .mail(from: "a@b", parameters: [SMTPParameter("A", "b=c")]),
            .rcpt(to: "a@b", parameters: [SMTPParameter("NOTIFY", "")]),
            .rcpt(to: "", parameters: []),
            .bdat(size: -1, last: true),
        ]
        for command in commands {
            #expect(throws: SMTPError.self, "\(command)") { _ = try command.encoded() }
        }
    }

    @Test func authArgumentsAreRedactedInTheTranscript() throws {
        let label = "credentials of shop@example.com"
        #expect(try SMTPCommand.auth(mechanism: "PLAIN", initialResponse: Array("\0shop\0pw".utf8))
            .transcriptText(secretLabel: label).rendered == "AUTH PLAIN <redacted: credentials of shop@example.com>")
        #expect(try SMTPCommand.authResponse(Array("pw".utf8)).transcriptText(secretLabel: label).rendered
                == "<redacted: credentials of shop@example.com>")
        #expect(try SMTPCommand.auth(mechanism: "LOGIN", initialResponse: nil).transcriptText(secretLabel: label).rendered
                == "AUTH LOGIN")
    }

    @Test func xtextEncodesPlusEqualsAndNonPrintables() {
        #expect(XText.encode("abc") == "abc")
        #expect(XText.encode("a+b=c") == "a+2Bb+3Dc")
        #expect(XText.encode("é") == "+C3+A9")
        #expect(XText.encode("\u{1}") == "+01")
    }
}
