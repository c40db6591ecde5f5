public import NetIO

/// The SMTP stages named in errors and in the transcript (the step of RFC 5321 §3 a failure
/// belongs to). Transport stages (`connect`, `TLS`, `greeting`) come from NetIO.
extension Stage {
    /// `EHLO` or its `HELO` fallback (RFC 5321 §4.1.1.1).
    public static let ehlo: Stage = "EHLO"
    /// The `STARTTLS` command exchange (RFC 3207 §4); the handshake itself is `.tls`.
    public static let startTLS: Stage = "STARTTLS"
    /// `AUTH` (RFC 4954 §4).
    public static let auth: Stage = "AUTH"
    /// `MAIL FROM` (RFC 5321 §4.1.1.2).
    public static let mail: Stage = "MAIL"
    /// `RCPT TO` (RFC 5321 §4.1.1.3).
    public static let rcpt: Stage = "RCPT"
    /// `DATA`, the message and its final reply (RFC 5321 §4.1.1.4).
    public static let data: Stage = "DATA"
    /// `BDAT` chunks (RFC 3030 §2).
    public static let bdat: Stage = "BDAT"
    /// `RSET` (RFC 5321 §4.1.1.5).
    public static let rset: Stage = "RSET"
    /// `NOOP` (RFC 5321 §4.1.1.9).
    public static let noop: Stage = "NOOP"
    /// `QUIT` (RFC 5321 §4.1.1.10).
    public static let quit: Stage = "QUIT"
}
