/// RFC 5322 §3.6.4 msg-id: `<id-left@id-right>`.
enum MessageID {
    /// The longest identifier accepted, so `Message-ID: <…>` stays within the 998-octet line
    /// limit of RFC 5322 §2.1.1 (identifiers are not folded).
    static let maximumLength = 900

    /// `<…>` form of `id` (angle brackets added when missing), validated: id-left and
    /// id-right are dot-atom-text (id-right may be a `[…]` literal); throws `.invalidMessageID`.
    static func normalise(_ id: String, field: String) throws(MIMEError) -> String {
        try HeaderValidation.checkNoControls(id, field: field)
        var core = Substring(id.trimmingWSP())
        if core.hasPrefix("<"), core.hasSuffix(">") { core = core.dropFirst().dropLast() }
        guard core.utf8.count <= maximumLength, let at = core.lastIndex(of: "@") else { throw MIMEError(.invalidMessageID, field: field, evidence: id) }
        let left = Array(core[..<at].utf8), right = core[core.index(after: at)...]
        let rightOK = (right.hasPrefix("[") && right.hasSuffix("]") && right.count > 2
                       && right.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
            || Address.isDotAtom(Array(right.utf8))
        guard left.allSatisfy({ $0 < 0x80 }), right.utf8.allSatisfy({ $0 < 0x80 }),
              Address.isDotAtom(left), rightOK else {
            throw MIMEError(.invalidMessageID, field: field, evidence: id)
        }
        return "<" + core + ">"
    }

    /// A fresh `<32 hex digits@domain>` identifier (random, fixed length for a given domain).
    static func generate(domain: String) -> String {
        var g = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var left: [UInt8] = []
        for _ in 0..<32 { left.append(hex[Int(g.next() % 16)]) }
        return "<" + String(decoding: left, as: UTF8.self) + "@" + domain + ">"
    }
}
