/// A status response (RFC 9051 §7.1): `OK`, `NO`, `BAD`, `PREAUTH` or `BYE`, an optional
/// response code and human-readable text. Tagged ones end a command; untagged ones inform.
///
///     S: A3 NO [AUTHENTICATIONFAILED] Authentication failed.
public struct StatusResponse: Sendable, Hashable, CustomStringConvertible {
    /// The condition (RFC 9051 §7.1.1-§7.1.5).
    public enum Condition: String, Sendable, Hashable {
        case ok = "OK", no = "NO", bad = "BAD", preauth = "PREAUTH", bye = "BYE"
    }

    public var condition: Condition
    public var code: ResponseCode?
    public var text: String

    public init(condition: Condition, code: ResponseCode? = nil, text: String) {
        self.condition = condition
        self.code = code
        self.text = text
    }

    public var description: String {
        var s = condition.rawValue
        if let code { s += " [\(code.name)]" }
        if !text.isEmpty { s += " " + text }
        return s
    }
}

/// The response that completes a command: its tag and status (RFC 9051 §2.2.2).
public struct TaggedResponse: Sendable, Hashable, CustomStringConvertible {
    public var tag: String
    public var status: StatusResponse

    public init(tag: String, status: StatusResponse) {
        self.tag = tag
        self.status = status
    }

    public var description: String { "\(tag) \(status)" }
}
