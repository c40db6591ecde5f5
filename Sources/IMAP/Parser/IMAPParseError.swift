/// Why the response stream cannot be read further: the framing itself is broken or exceeds a
/// limit (a malformed item inside a FETCH is not an error: it becomes `.invalid` on its message).
public struct IMAPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A line longer than `ParserLimits.lineLength`.
        case lineTooLong(limit: Int)
        /// A literal announced larger than the limit (`size` is the announced text).
        case literalTooLarge(size: String, limit: Int)
        /// Parentheses nested deeper than `ParserLimits.nestingDepth`.
        case nestingTooDeep(limit: Int)
        /// A response that does not follow RFC 9051 §9 where the client cannot skip it (a tagged
        /// response, a continuation, the framing of a FETCH).
        case malformed(String)
    }

    public var kind: Kind
    /// The start of the offending bytes, printable.
    public var evidence: String

    public init(_ kind: Kind, evidence: String) {
        self.kind = kind
        self.evidence = evidence
    }

    public var description: String {
        switch kind {
        case .lineTooLong(let limit): "the server sent a line longer than \(limit) bytes (\(evidence))"
        case .literalTooLarge(let size, let limit):
            "the server announced a literal of \(size) bytes, above the limit of \(limit) (\(evidence))"
        case .nestingTooDeep(let limit): "the server nested lists deeper than \(limit) (\(evidence))"
        case .malformed(let why): "malformed response: \(why) (\(evidence))"
        }
    }
}

/// A grammar mismatch inside one frame; the caller decides whether it is fatal.
struct ParseFailure: Error {
    var reason: String
    var nestingTooDeep = false
}

/// Printable preview of bytes for evidence and raw values: control bytes as `\r`, `\n`, `\xNN`.
func printablePreview(_ bytes: some Collection<UInt8>, limit: Int = 2_000) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(min(bytes.count, limit) + 8)
    var count = 0
    for b in bytes {
        if count == limit { out.append(contentsOf: Array("…".utf8)); break }
        count += 1
        switch b {
        case 0x0D: out.append(contentsOf: [0x5C, 0x72])
        case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
        case 0..<0x20, 0x7F: out.append(contentsOf: Array("\\x\(String(b, radix: 16, uppercase: true))".utf8))
        default: out.append(b)
        }
    }
    return String(decoding: out, as: UTF8.self)
}
