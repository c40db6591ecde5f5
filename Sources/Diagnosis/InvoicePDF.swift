public import Foundation

/// A small, valid one-page PDF (ISO 32000-1 §7.5: header, objects, cross-reference table with
/// exact byte offsets, trailer) made at run time, so the self-test and the demo send a real
/// invoice-like attachment without shipping a binary file.
public enum InvoicePDF {
    /// A PDF whose page shows `lines` (ASCII; other characters become `?`) in Helvetica.
    public static func make(title: String = "Invoice", lines: [String] = []) -> Data {
        let text = ([title] + lines).map(escape)
        var content = "BT /F1 16 Tf 72 760 Td (\(text[0])) Tj /F1 11 Tf"
        for line in text.dropFirst() { content += " 0 -18 Td (\(line)) Tj" }
        content += " ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, body) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(i + 1) 0 obj\n\(body)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { out += String(format: "%010d 00000 n \n", o) }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }

    /// A demo invoice: number, date, one line item, total.
    public static func invoice(number: String, date: Date = Date()) -> Data {
        let day = ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        return make(title: "Invoice \(number)", lines: [
            "Date: \(day)", "Corner Shop, 1 Market Street", "1 x Test article        9.90 EUR",
            "Total                   9.90 EUR", "Sent by the MailEngine self-test.",
        ])
    }

    /// PDF string literal escaping (ISO 32000-1 §7.3.4.2), ASCII only.
    static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "(", ")", "\\": out += "\\" + String(u)
            case " "..."~": out.unicodeScalars.append(u)
            default: out += "?"
            }
        }
        return out
    }
}
