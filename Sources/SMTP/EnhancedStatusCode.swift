/// An enhanced mail system status code, `class.subject.detail` (RFC 3463 §2), as SMTP servers
/// put it at the start of reply text when they offer ENHANCEDSTATUSCODES (RFC 2034 §3):
/// `S: 550 5.1.1 <nobody@example.test>: Recipient address rejected`.
public struct EnhancedStatusCode: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 2 success, 4 persistent transient failure, 5 permanent failure (RFC 3463 §3.1).
    public var statusClass: Int
    /// 0 other, 1 addressing, 2 mailbox, 3 mail system, 4 network/routing, 5 mail delivery
    /// protocol, 6 message content, 7 security or policy (RFC 3463 §3.2).
    public var subject: Int
    public var detail: Int

    public init(statusClass: Int, subject: Int, detail: Int) {
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    /// Parses `status-code = class "." subject "." detail`, `class = "2" / "4" / "5"`,
    /// `subject = 1*3digit`, `detail = 1*3digit` (RFC 3463 §2). `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              parts[0].count == 1, let c = Int(parts[0]), [2, 4, 5].contains(c),
              (1...3).contains(parts[1].count), parts[1].allSatisfy(\.isASCIIDigit), let s = Int(parts[1]),
              (1...3).contains(parts[2].count), parts[2].allSatisfy(\.isASCIIDigit), let d = Int(parts[2])
        else { return nil }
        self.init(statusClass: c, subject: s, detail: d)
    }

    /// `5.1.1`
    public var description: String { "\(statusClass).\(subject).\(detail)" }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
