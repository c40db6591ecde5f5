/// The bounds the response parser enforces, so a hostile or broken server cannot make the client
/// hold unbounded memory or recurse without end. Each has a default and may be raised.
public struct ParserLimits: Sendable, Hashable {
    /// Longest line (the bytes between line ends, literals not counted). RFC 9051 §4 sets no
    /// limit and RFC 7162 §4 asks clients to accept at least 8,192 octets; SEARCH results of a big
    /// mailbox are longer, so the default is 1 MiB.
    public var lineLength: Int
    /// Largest literal accepted at all (RFC 9051 §4.3 `literal`, RFC 3516 `literal8`); a server
    /// announcing more (`{9223372036854775808}`) is refused before a byte is read. Default 1 GiB.
    public var literalSize: Int
    /// Largest literal held in memory: any literal outside a FETCH body section (a mailbox name,
    /// an envelope field). Default 1 MiB.
    public var bufferedLiteralSize: Int
    /// Body sections (`BODY[…]`, `BINARY[…]`, `RFC822…`) larger than this are streamed to the caller
    /// in chunks instead of being buffered. Default 64 KiB.
    public var streamingThreshold: Int
    /// Deepest nesting of parentheses in a BODYSTRUCTURE or other list (RFC 9051 §9 allows any;
    /// real messages stay under 20). Default 100.
    public var nestingDepth: Int

    public static let defaultLineLength = 1 << 20
    public static let defaultLiteralSize = 1 << 30
    public static let defaultBufferedLiteralSize = 1 << 20
    public static let defaultStreamingThreshold = 64 * 1024
    public static let defaultNestingDepth = 100

    public init(lineLength: Int = ParserLimits.defaultLineLength, literalSize: Int = ParserLimits.defaultLiteralSize,
                bufferedLiteralSize: Int = ParserLimits.defaultBufferedLiteralSize,
                streamingThreshold: Int = ParserLimits.defaultStreamingThreshold,
                nestingDepth: Int = ParserLimits.defaultNestingDepth) {
        self.lineLength = lineLength
        self.literalSize = literalSize
        self.bufferedLiteralSize = bufferedLiteralSize
        self.streamingThreshold = streamingThreshold
        self.nestingDepth = nestingDepth
    }
}
