import Testing
import Foundation
@testable import MIME

@Suite struct SmokeTests {
    @Test func printsInvoice() async throws {
        var m = try Message.invoice()
        m.htmlBody = "<p>Guten Tag</p>"
        try m.attach(data: Data("%PDF-1.4 fake".utf8), filename: "Rechnung Müller 1042 – Januar 2026 sehr langer Dateiname für Outlook.pdf")
        let bytes = try await deterministicWriter().encode(m)
        print(text(bytes))
        let p = MIMEParser.parse(bytes)
        print(p.summary, p.subject ?? "-", p.attachments.map { $0.filename ?? "-" }, p.defects)
        #expect(bytes.count == (try deterministicWriter().encodedSize(of: m)))
    }
}
