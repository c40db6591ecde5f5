/// Size limits of the SMTP wire, each with the RFC that sets it.
public enum SMTPLimits {
    /// A reply line, including its CR LF (RFC 5321 §4.5.3.1.5: 512 octets).
    public static let replyLine = 512
    /// What the parser tolerates before calling a reply line hostile: real servers (Exchange's
    /// EHLO, long 5xx texts with URLs) exceed `replyLine`, and RFC 5321 §4.5.3.1 asks receivers
    /// to be liberal with such lines. Beyond this the reply is refused (`SMTPError.Kind.replyTooLong`).
    public static let replyLineTolerated = 4_096
    /// Lines in one multi-line reply before it is refused: a hostile server must not grow memory
    /// without bound (no RFC limit; Postfix's EHLO has about 12).
    public static let replyLinesTolerated = 256
    /// A command line, including its CR LF (RFC 5321 §4.5.3.1.4: 512 octets). `AUTH` sends its
    /// initial response on the command line only if the whole line fits (RFC 4954 §4).
    public static let commandLine = 512
    /// A text line of the message, without its CR LF (RFC 5321 §4.5.3.1.6: 1000 octets with it;
    /// RFC 5322 §2.1.1: 998). Longer lines are sent as they are, but a transcript fact warns:
    /// servers fold them (Postfix inserts CR LF SP) or refuse the message.
    public static let textLine = 998
    /// RCPT commands sent in one PIPELINING group before the client reads their replies: RFC 2920
    /// §3.1 warns that a client writing without reading can deadlock once both sides' buffers
    /// fill; 100 short commands stay far below any TCP window.
    public static let pipelinedRecipientsPerGroup = 100
}
