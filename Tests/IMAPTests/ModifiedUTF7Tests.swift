import Testing
@testable import IMAP

@Suite("Modified UTF-7 mailbox names (RFC 3501 §5.1.3)")
struct ModifiedUTF7Tests {
    static let pairs: [(String, String)] = [
        ("INBOX", "INBOX"), ("Entwürfe", "Entw&APw-rfe"), ("日本語", "&ZeVnLIqe-"),
        ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"), ("A&B", "A&-B"), ("&", "&-"),
        ("Gesendete Objekte", "Gesendete Objekte"), ("Корзина", "&BBoEPgRABDcEOAQ9BDA-"), ("😀", "&2D3eAA-"),
        ("Ünïcödé & more", "&ANw-n&AO8-c&APY-d&AOk- &- more"),
    ]

    @Test(arguments: pairs.map(\.0))
    func roundTrip(name: String) {
        let wire = Self.pairs.first { $0.0 == name }!.1
        #expect(ModifiedUTF7.encode(name) == wire)
        #expect(ModifiedUTF7.decode(Array(wire.utf8)) == name)
    }

    @Test func invalidFormsAreRefused() {
        for bad in ["&Jjo!", "&U,BTFw", "&AGE-", "tab\there", "&==-"] {
            #expect(ModifiedUTF7.decode(Array(bad.utf8)) == nil, "\(bad)")
        }
    }

    @Test func utf8NamesFromUTF8AcceptServersAreKept() {
        #expect(MailboxName(wire: Array("Entwürfe".utf8)).name == "Entwürfe")
        #expect(MailboxName(wire: Array("inbox".utf8)) == .inbox)
    }
}
