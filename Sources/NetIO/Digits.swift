/// Octets and numbers as fixed-width digits, for evidence, fingerprints and protocol dates (what
/// `String(format: "%02x")` and `"%02d"` gave, without full Foundation).
package enum Digits {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `0x0a` → `"0a"`.
    package static func hex(_ b: UInt8) -> String {
        String(decoding: [hexDigits[Int(b >> 4)], hexDigits[Int(b & 0x0f)]], as: UTF8.self)
    }

    /// `n` in decimal, at least `width` digits, zero-padded (`7` → `"07"` for width 2).
    package static func decimal(_ n: Int, width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (what `trimmingCharacters(in: .whitespaces)`
    /// gives for protocol text, without full Foundation).
    package var trimmingSpacesAndTabs: String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
