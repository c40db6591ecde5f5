/// Limits of the Internet message format, named after the RFC that sets them.
public enum MIMELimits {
    /// RFC 5322 §2.1.1: each line MUST be no more than 998 characters, excluding the CRLF.
    public static let maximumLineLength = 998
    /// RFC 5322 §2.1.1: each line SHOULD be no more than 78 characters, excluding the CRLF.
    public static let preferredLineLength = 78
    /// RFC 2047 §2: an encoded-word may not be more than 75 characters long.
    public static let maximumEncodedWordLength = 75
    /// RFC 2045 §6.8: encoded lines of base64 are no more than 76 characters.
    public static let base64LineLength = 76
    /// RFC 2045 §6.7 rule 5: quoted-printable lines are no more than 76 characters.
    public static let quotedPrintableLineLength = 76
    /// RFC 2046 §5.1.1: a boundary is 1 to 70 characters.
    public static let maximumBoundaryLength = 70
    /// Parser: the most bytes of header section accepted per part before the rest is taken as
    /// body (a defect). RFC 5322 sets no limit; this bounds memory against hostile input.
    public static let maximumHeaderSectionBytes = 256 * 1024
    /// Parser: the deepest nesting of multiparts and message/rfc822 parts that is expanded.
    /// Deeper parts are kept whole as opaque leaves (a defect), so hostile input cannot blow the stack.
    public static let maximumNestingDepth = 32
    /// Parser: the most parts accepted in one message; later ones are folded into the previous part.
    public static let maximumPartCount = 10_000
    /// Writer: the largest chunk handed to a sink at once.
    public static let writerChunkSize = 64 * 1024
}
