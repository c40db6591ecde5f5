/// What the server answered to one `RCPT TO` (RFC 5321 §4.1.1.3).
public struct RecipientResult: Sendable, Hashable, Codable {
    public var address: String
    public var accepted: Bool
    /// The reply code, e.g. 250, 550.
    public var code: Int
    /// The enhanced status code (RFC 3463), e.g. `5.1.1`, when the server sent one.
    public var enhancedCode: String?
    /// The reply text.
    public var text: String

    public init(address: String, accepted: Bool, code: Int, enhancedCode: String? = nil, text: String) {
        self.address = address
        self.accepted = accepted
        self.code = code
        self.enhancedCode = enhancedCode
        self.text = text
    }

    /// A 4xx reply: the same recipient may be accepted later.
    public var isTransient: Bool { (400..<500).contains(code) }
}
