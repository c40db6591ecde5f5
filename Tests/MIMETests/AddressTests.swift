import Testing
import Foundation
@testable import MIME

/// RFC 5322 §3.4 mailboxes: validation, parsing, IDN, SMTPUTF8, the envelope.
@Suite struct AddressTests {
    @Test(arguments: ["a@b", "first.last@example.com", "o'brien+tag@example.co.uk", "\"john doe\"@example.com",
                      "user@[192.0.2.1]", "用户@例子.example", "kunde@bücher.example", "x@localhost", "a_b@sub-domain.example"])
    func validAddresses(spec: String) throws {
        let a = try Address(spec)
        #expect(a.addrSpec == spec)
    }

    @Test(arguments: ["", "plain", "@example.com", "a@", "a..b@example.com", ".a@example.com", "a.@example.com",
                      "a b@example.com", "a@exa mple.com", "a@-example.com", "a@example-.com", "a@ex..com",
                      "a@b@c", "<a@b>", "a@b,c@d", String(repeating: "x", count: 65) + "@example.com",
                      "a@" + String(repeating: "l", count: 64) + ".com"])
    func invalidAddresses(spec: String) {
        #expect(throws: MIMEError.self) { try Address(spec) }
    }

    @Test func parsesMailboxForms() throws {
        let a = try Address.parse("Ana Müller <ana@example.org>")
        #expect(a.displayName == "Ana Müller" && a.addrSpec == "ana@example.org")
        let b = try Address.parse("\"Müller, Ana\" <ana@example.org>")
        #expect(b.displayName == "Müller, Ana")
        let c = try Address.parse("ana@example.org (Ana M.)")
        #expect(c.displayName == "Ana M." && c.addrSpec == "ana@example.org")
        let d = try Address.parse("=?utf-8?Q?Caf=C3=A9_Z=C3=BCrich?= <shop@example.com>")
        #expect(d.displayName == "Café Zürich")
        let e = try Address.parse("<bare@example.com>")
        #expect(e.displayName == nil && e.addrSpec == "bare@example.com")
        let f = try Address.parse("\"=?ISO-8859-1?Q?J=FCrgen?=\" <j@example.de>")
        #expect(f.displayName == "Jürgen")
    }

    @Test func parsesLists() throws {
        let list = try Address.parseList("a@example.com, \"B, Bee\" <b@example.com>,Team: c@example.com, D <d@example.com>;, undisclosed-recipients:;")
        #expect(list.map(\.addrSpec) == ["a@example.com", "b@example.com", "c@example.com", "d@example.com"])
        #expect(list[1].displayName == "B, Bee")
        #expect(try Address.parseList("").isEmpty)
        #expect(throws: MIMEError.self) { try Address.parse("a@example.com, b@example.com") }
        #expect(throws: MIMEError.self) { try Address.parseList("not an address") }
    }

    @Test func idnAndSMTPUTF8() throws {
        let idn = try Address("kunde@bücher.example")
        #expect(!idn.requiresSMTPUTF8)
        #expect(idn.asciiAddrSpec == "kunde@xn--bcher-kva.example")
        let utf8 = try Address("用户@例子.example")
        #expect(utf8.requiresSMTPUTF8)
        #expect(utf8.asciiAddrSpec == nil)
    }

    /// Without SMTPUTF8 a non-ASCII local part is a clear error naming the field.
    @Test func nonASCIILocalPartNeedsSMTPUTF8() async throws {
        let m = Message(from: try Address("shop@example.com"), to: [try Address("jürgen@example.de")], subject: "x", textBody: "x")
        await #expect { try await MIMEWriter().encode(m) } throws: { e in
            guard let e = e as? MIMEError else { return false }
            return e.kind == .requiresSMTPUTF8 && e.field == "To"
        }
        let bytes = try await MIMEWriter(options: .init(allowSMTPUTF8: true)).encode(m)
        #expect(text(bytes).contains("To: jürgen@example.de\r\n"))
    }

    @Test func envelope() throws {
        var m = Message(from: try Address("shop@example.com"))
        m.sender = try Address("bounce@mailer.example")
        m.to = [try Address("a@example.com"), try Address("b@Example.COM")]
        m.cc = [try Address("b@example.com"), try Address("c@example.com")]
        m.bcc = [try Address("a@EXAMPLE.com"), try Address("d@example.com")]
        #expect(m.envelopeSender == "bounce@mailer.example")
        #expect(m.envelopeRecipients == ["a@example.com", "b@Example.COM", "c@example.com", "d@example.com"])
        #expect(m.envelopeRecipientAddresses.map(\.addrSpec) == m.envelopeRecipients)
        m.sender = nil
        #expect(m.envelopeSender == "shop@example.com")
        m.to.append(try Address("kunde@bücher.example"))
        #expect(m.envelopeRecipientAddresses.first { $0.domain == "bücher.example" }?.asciiAddrSpec == "kunde@xn--bcher-kva.example")
        #expect(m.envelopeSenderAddress?.addrSpec == "shop@example.com")
    }

    @Test func summary() throws {
        var m = try Message.invoice()
        try m.attach(data: Data([1]), filename: "Invoice 1042.pdf")
        #expect(m.summary == "mixed(text/plain, application/pdf \"Invoice 1042.pdf\")")
        m.htmlBody = "<p>x</p>"
        #expect(m.summary == "mixed(alternative(text/plain, text/html), application/pdf \"Invoice 1042.pdf\")")
        #expect(Message(from: nil).summary == "text/plain")
    }

    /// RFC 5322 §3.4.1: a quoted-string local part is kept as written (its spaces and
    /// quoted-pairs too) through parse, write and parse back (the fuzz finding
    /// Fixtures/fuzz/Address/seeds/quoted-local-part-leading-space).
    @Test(arguments: ["\" cal\"@e", "\"a  b\"@example.com", "\"a\\\" b\"@example.com", "\"x\"@example.com", "\" \"@example.com"])
    func quotedLocalPartSurvivesRoundTrip(spec: String) throws {
        let a = try Address.parse(spec + "    (comment)")
        #expect(a.addrSpec == spec)
        #expect(try Address.parse("Name <\(spec)>").addrSpec == spec)
        #expect(try Address.parse("Name < \(spec) >").addrSpec == spec)
        let m = Message(from: try Address("shop@example.com"), to: [a, try Address(spec, displayName: "Cal")],
                        subject: "x", textBody: "x")
        var written: [UInt8] = []
        try deterministicWriter().writeSynchronously(m) { written.append(contentsOf: $0) }
        #expect(text(written).contains(spec))
        let parsed = MIMEParser.parse(written)
        #expect(parsed.to.map(\.addrSpec) == [spec, spec])
        #expect(parsed.to.last?.displayName == "Cal")
    }

    /// CFWS around the tokens of an addr-spec inside angle brackets is not part of it.
    @Test func whiteSpaceOutsideQuotesIsDropped() throws {
        #expect(try Address.parse("Name < a.b @ example.com >").addrSpec == "a.b@example.com")
        #expect(try Address.parse("Name <a.b(x)@example.com>").addrSpec == "a.b@example.com")
    }

    /// RFC 5322 §3.4.1: a domain-literal's dtext may hold `<`, `>`, `,`, `;` and `:`; they do not
    /// start an angle-addr or end a list item (the fuzz finding Fixtures/fuzz/Address/crashes/
    /// crash-e8391b…: `<a@[<a]` written bare as `a@[<a]` came back as no address at all).
    @Test(arguments: ["a@[<a]", "a@[a>b]", "a@[x,y]", "a@[IPv6:2001:db8::1]", "a@[192.0.2.1]"])
    func domainLiteralSpecialsSurviveRoundTrip(spec: String) throws {
        #expect(try Address.parse(spec).addrSpec == spec)
        #expect(try Address.parse("Name <\(spec)>").addrSpec == spec)
        #expect(try Address.parseList("\(spec), b@example.com").map(\.addrSpec) == [spec, "b@example.com"])
        let m = Message(from: try Address("shop@example.com"), to: [try Address(spec), try Address(spec, displayName: "Lit")],
                        subject: "x", textBody: "x")
        var written: [UInt8] = []
        try deterministicWriter().writeSynchronously(m) { written.append(contentsOf: $0) }
        #expect(MIMEParser.parse(written).to.map(\.addrSpec) == [spec, spec])
    }

    /// A `[` that does not follow `@` is an ordinary character of an (unquoted, obsolete but
    /// common) display name: `Support [EXT] <a@b>`.
    @Test func bracketInADisplayNameIsNotADomainLiteral() throws {
        let a = try Address.parse("Support [EXT] <help@example.com>")
        #expect(a.addrSpec == "help@example.com")
        #expect(try Address.parseList("Support [EXT] <help@example.com>, b@example.com").count == 2)
    }
}
