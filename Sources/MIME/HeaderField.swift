/// One RFC 5322 §2.2 header field: a name and an unfolded value.
///
/// Built by callers (custom headers) it is validated: the name is `ftext` (§3.6.8) and the
/// value holds no CR, LF or NUL. From the parser, `value` is unfolded with RFC 2047 encoded
/// words decoded, and `rawValue` is the unfolded text as it arrived.
public struct HeaderField: Sendable, Hashable, CustomStringConvertible {
    /// The field name as written (`Subject`, `X-Invoice-Number`); compare case-insensitively.
    public var name: String
    /// The field body: decoded text for parsed fields, plain text for custom ones.
    public var value: String
    /// The unfolded field body before RFC 2047 decoding (parsed fields), or `value` (custom fields).
    public var rawValue: String

    /// A custom header field; throws `MIMEError` for a bad name or CR/LF/NUL in the value.
    public init(_ name: String, _ value: String) throws(MIMEError) {
        try HeaderValidation.checkFieldName(name)
        try HeaderValidation.checkNoControls(value, field: name)
        self.name = name
        self.value = value
        self.rawValue = value
    }

    init(parsedName name: String, rawValue: String, value: String) {
        self.name = name
        self.rawValue = rawValue
        self.value = value
    }

    /// `Name: value`.
    public var description: String { "\(name): \(value)" }
}

/// The name DESIGN.md uses for a header field.
public typealias Header = HeaderField

extension Array where Element == HeaderField {
    /// The first field's decoded value with this name (case-insensitive, RFC 5322 §1.2.2).
    public func value(_ name: String) -> String? {
        first { $0.name.caseInsensitiveCompare(name) }?.value
    }

    /// Every field with this name, in order.
    public func all(_ name: String) -> [HeaderField] {
        filter { $0.name.caseInsensitiveCompare(name) }
    }

    func rawValue(_ name: String) -> String? {
        first { $0.name.caseInsensitiveCompare(name) }?.rawValue
    }
}

extension String {
    /// ASCII case-insensitive equality (header names, parameter names, charsets).
    func caseInsensitiveCompare(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in
            x == y || ((x | 0x20) == (y | 0x20) && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A)
        }
    }
}
