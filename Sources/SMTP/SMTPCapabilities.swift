/// What the server said it supports in its EHLO reply (RFC 5321 §4.1.1.1): the first line is
/// its name and greeting, each further line `ehlo-keyword *(SP ehlo-param)`.
///
/// ```
/// S: 250-localhost
/// S: 250-SIZE 10240000
/// S: 250-AUTH PLAIN LOGIN
/// S: 250-AUTH=PLAIN LOGIN        (the pre-RFC 4954 form, still sent by old servers)
/// S: 250 PIPELINING
/// ```
/// Every keyword is kept (`extensions`), known or not, with its parameters; keywords are
/// compared case-insensitively and stored upper-cased.
public struct SMTPCapabilities: Sendable, Hashable {
    /// One `ehlo-line`.
    public struct Extension: Sendable, Hashable {
        public var keyword: String
        public var parameters: [String]
    }

    /// The server's name from the first line (`localhost`, `mx.google.com at your service`).
    public var serverGreeting: String
    /// Every extension line, in the order received.
    public var extensions: [Extension]
    /// `false` after the HELO fallback: the server speaks plain RFC 821 SMTP, no extension.
    public var isExtended: Bool

    /// Parses an EHLO reply (`isExtended`) or a HELO reply (no extensions).
    public init(reply: SMTPReply, extended: Bool = true) {
        serverGreeting = reply.lines.first ?? ""
        isExtended = extended
        var found: [Extension] = []
        if extended {
            for line in reply.lines.dropFirst() {
                var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                guard !words.isEmpty else { continue }
                var keyword = words.removeFirst().uppercased()
                if keyword.hasPrefix("AUTH=") {
                    // Old form: `AUTH=LOGIN PLAIN` (before RFC 4954).
                    words.insert(String(keyword.dropFirst(5)), at: 0)
                    keyword = "AUTH"
                    words = words.filter { !$0.isEmpty }
                }
                found.append(Extension(keyword: keyword, parameters: words))
            }
        }
        extensions = found
    }

    /// No extension: what a HELO-only server offers.
    public static let none = SMTPCapabilities(reply: SMTPReply(code: 250, lines: [""]), extended: false)

    /// Whether the keyword was offered (`"PIPELINING"`, case-insensitive).
    public func supports(_ keyword: String) -> Bool {
        let k = keyword.uppercased()
        return extensions.contains { $0.keyword == k }
    }

    /// The parameters of a keyword, merged when it appears on several lines.
    public func parameters(of keyword: String) -> [String] {
        let k = keyword.uppercased()
        return extensions.filter { $0.keyword == k }.flatMap(\.parameters)
    }

    /// SASL mechanisms from `AUTH` and `AUTH=` lines, upper-cased, without repeats (RFC 4954 §3).
    public var authMechanisms: [String] {
        var out: [String] = []
        for m in parameters(of: "AUTH").map({ $0.uppercased() }) where !out.contains(m) { out.append(m) }
        return out
    }

    /// `SIZE` offered (RFC 1870 §4): the client may declare `SIZE=` in MAIL FROM.
    public var supportsSize: Bool { supports("SIZE") }
    /// The fixed maximum message size, when `SIZE n` names one (`SIZE` or `SIZE 0`: no fixed limit).
    public var sizeLimit: Int? {
        guard let n = parameters(of: "SIZE").first.flatMap({ Int($0) }), n > 0 else { return nil }
        return n
    }
    /// `PIPELINING` (RFC 2920).
    public var pipelining: Bool { supports("PIPELINING") }
    /// `8BITMIME` (RFC 6152).
    public var eightBitMIME: Bool { supports("8BITMIME") }
    /// `SMTPUTF8` (RFC 6531).
    public var smtpUTF8: Bool { supports("SMTPUTF8") }
    /// `DSN` (RFC 3461).
    public var dsn: Bool { supports("DSN") }
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    public var enhancedStatusCodes: Bool { supports("ENHANCEDSTATUSCODES") }
    /// `STARTTLS` (RFC 3207).
    public var startTLS: Bool { supports("STARTTLS") }
    /// `CHUNKING`: BDAT (RFC 3030).
    public var chunking: Bool { supports("CHUNKING") }
    /// `BINARYMIME` (RFC 3030 §3).
    public var binaryMIME: Bool { supports("BINARYMIME") }

    /// The keywords as one line for the transcript and reports.
    public var summary: String {
        extensions.map { ([$0.keyword] + $0.parameters).joined(separator: " ") }.joined(separator: ", ")
    }
}
