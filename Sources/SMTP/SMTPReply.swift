/// One server reply: a three-digit code and one or more text lines (RFC 5321 §4.2).
///
/// ```
/// S: 250-localhost
/// S: 250-PIPELINING
/// S: 250 SMTPUTF8
/// ```
/// `lines` holds the text after `250-` / `250 `; `textLines` the same with the enhanced status
/// code (RFC 2034 §3) taken off each line.
public struct SMTPReply: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The reply code, 200…599 (RFC 5321 §4.2.1).
    public var code: Int
    /// The enhanced status code of the first line when it carries one whose class matches the
    /// reply code's first digit (RFC 2034 §4).
    public var enhancedCode: EnhancedStatusCode?
    /// The text of each line after the code and its separator, as received.
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines.isEmpty ? [""] : lines
        self.enhancedCode = Self.enhancedCode(in: self.lines[0], code: code)
    }

    /// Each line without a leading enhanced status code.
    public var textLines: [String] {
        lines.map { line in
            guard let code = Self.enhancedCode(in: line, code: self.code) else { return line }
            return String(line.dropFirst(code.description.count).drop { $0 == " " })
        }
    }

    /// The text lines joined with line feeds.
    public var text: String { textLines.joined(separator: "\n") }

    /// 2yz: the requested action was completed (RFC 5321 §4.2.1).
    public var isPositiveCompletion: Bool { (200..<300).contains(code) }
    /// 3yz: go on (354 after DATA, 334 during AUTH).
    public var isPositiveIntermediate: Bool { (300..<400).contains(code) }
    /// 4yz: not done, but the same request may succeed later.
    public var isTransientNegative: Bool { (400..<500).contains(code) }
    /// 5yz: not done, and repeating the request as it is will not help.
    public var isPermanentNegative: Bool { (500..<600).contains(code) }

    /// The reply as it appeared on the wire, lines joined with ` / `: `250 2.0.0 Ok: queued as 4Xyz`.
    public var description: String {
        lines.map { $0.isEmpty ? "\(code)" : "\(code) \($0)" }.joined(separator: " / ")
    }

    private static func enhancedCode(in line: String, code: Int) -> EnhancedStatusCode? {
        let token = line.prefix { $0 != " " }
        guard let status = EnhancedStatusCode(token), status.statusClass == code / 100 else { return nil }
        return status
    }
}
