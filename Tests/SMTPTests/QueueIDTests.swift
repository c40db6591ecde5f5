import Testing
@testable import SMTP

/// The queue id in the final reply of common servers.
@Suite("Queue id")
struct QueueIDTests {
    @Test(arguments: [
        ("2.0.0 Ok: queued as 4Xyz12AbC", "4Xyz12AbC"),
        ("OK id=1qAbCd-000123-Ef", "1qAbCd-000123-Ef"),
        ("2.0.0 3AB1cD4e012345 Message accepted for delivery", "3AB1cD4e012345"),
        ("2.0.0 OK  1700000000 a1-20020a05600c0123.45 - gsmtp", "a1-20020a05600c0123.45"),
        ("2.6.0 <m@x> [InternalId=1234567890, Hostname=AM0PR01] Queued mail for delivery", "1234567890"),
        ("Ok 0100018b2c3d4e5f-1a2b3c4d-000000", "0100018b2c3d4e5f-1a2b3c4d-000000"),
        ("ok 1700000000 qp 12345", "12345"),
    ])
    func findsTheID(_ text: String, _ id: String) {
        #expect(QueueID.parse(SMTPReply(code: 250, lines: [text])) == id)
    }

    @Test func noIDInAPlainOK() {
        #expect(QueueID.parse(SMTPReply(code: 250, lines: ["OK"])) == nil)
        #expect(QueueID.parse(SMTPReply(code: 250, lines: ["2.0.0 Ok"])) == nil)
    }
}
