/// Turns a command into the bytes to send (RFC 9051 §2.2.1, grammar §9): a tag, the arguments as
/// atoms, quoted strings or literals as their content requires, and CRLF. Literals are
/// synchronizing (`{n}`, wait for `+`) unless the server offers LITERAL+ (`{n+}` always) or
/// LITERAL- (`{n+}` up to 4096 bytes) (RFC 7888). CR, LF and NUL are refused where the grammar
/// does not allow them. No I/O.
///
///     C: A7 LOGIN alice {12}        S: + Ready        C: secret"pass
public struct CommandEncoder: Sendable {
    /// How literals may be sent.
    public enum LiteralMode: Sendable, Hashable {
        /// `{n}`: wait for the server's `+` before the data (RFC 9051 §4.3).
        case synchronizing
        /// LITERAL+: `{n+}` for any size (RFC 7888 §3).
        case literalPlus
        /// LITERAL-: `{n+}` up to 4096 bytes, synchronizing above (RFC 7888 §4).
        case literalMinus
    }

    /// RFC 7888 §4: the largest non-synchronizing literal under LITERAL-.
    public static let literalMinusLimit = 4_096
    /// Quoted strings longer than this go as literals (keeps lines short; RFC 9051 sets no limit).
    public static let quotedLengthLimit = 1_024

    public var literalMode: LiteralMode
    /// After `ENABLE UTF8=ACCEPT` (RFC 6855 §3): mailbox names and strings may be UTF-8 in quotes.
    public var utf8Accepted: Bool
    private var counter = 0
    private let tagPrefix: String

    public init(literalMode: LiteralMode = .synchronizing, utf8Accepted: Bool = false, tagPrefix: String = "A") {
        self.literalMode = literalMode
        self.utf8Accepted = utf8Accepted
        self.tagPrefix = tagPrefix
    }

    /// A fresh tag: `A1`, `A2`, … (RFC 9051 §2.2.1).
    public mutating func nextTag() -> String {
        counter += 1
        return "\(tagPrefix)\(counter)"
    }

    /// The command as parts to send in order; after each part with `waitsForContinuation` the
    /// client waits for the server's `+` before sending the next.
    public func encode(tag: String, _ arguments: [CommandArgument]) throws(IMAPError) -> EncodedCommand {
        var parts: [EncodedCommand.Part] = []
        var current: [UInt8] = Array(tag.utf8)
        var log = tag
        var previousOpened = false
        for argument in arguments {
            // "(" search-key *(SP search-key) ")": no space inside the parentheses.
            if !previousOpened && argument != .raw(")") {
                current.append(0x20)
                log += " "
            }
            previousOpened = argument == .raw("(")
            switch argument {
            case .atom(let a):
                guard !a.isEmpty, a.utf8.allSatisfy({ ParseCursor.isAtomChar($0) || $0 == 0x5C || $0 == 0x2A || $0 == 0x5D || $0 == 0x25 }) else {
                    throw refuse("\"\(a)\" is not an atom")
                }
                current += Array(a.utf8)
                log += a
            case .raw(let r):
                guard !r.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                    throw refuse("CR, LF or NUL in \"\(printablePreview(Array(r.utf8), limit: 60))\"")
                }
                current += Array(r.utf8)
                log += r
            case .astring(let bytes):
                let shown = try appendString(bytes, atomAllowed: true, into: &current, parts: &parts)
                log += shown
            case .string(let bytes):
                log += try appendString(bytes, atomAllowed: false, into: &current, parts: &parts)
            case .mailbox(let m):
                let wire = utf8Accepted ? m.name : m.modifiedUTF7
                guard !m.name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                    throw refuse("control character in mailbox name \"\(printablePreview(Array(m.name.utf8), limit: 60))\"")
                }
                log += try appendString(Array(wire.utf8), atomAllowed: true, into: &current, parts: &parts)
            case .literal(let bytes, let binary):
                if !binary, bytes.contains(0) { throw refuse("NUL in literal data (needs BINARY, RFC 3516)") }
                log += appendLiteral(bytes, binary: binary, into: &current, parts: &parts)
            case .literalHeader(let size, let binary):
                let nonSync = literalMode == .literalPlus || (literalMode == .literalMinus && size <= Self.literalMinusLimit)
                let header = (binary ? "~" : "") + "{\(size)\(nonSync ? "+" : "")}"
                current += Array(header.utf8) + [0x0D, 0x0A]
                parts.append(EncodedCommand.Part(bytes: current, waitsForContinuation: !nonSync))
                current = []
                log += "\(header) <\(size) bytes streamed>"
            case .secret(let bytes, let label):
                _ = try appendString(bytes, atomAllowed: true, into: &current, parts: &parts)
                log += "<redacted: \(label)>"
            }
        }
        current += [0x0D, 0x0A]
        parts.append(EncodedCommand.Part(bytes: current, waitsForContinuation: false))
        return EncodedCommand(tag: tag, parts: parts, transcript: log)
    }

    private func refuse(_ why: String) -> IMAPError {
        IMAPError(kind: .invalidArgument, stage: "command", evidence: why)
    }

    /// Appends an atom, quoted string or literal; returns what the transcript shows.
    private func appendString(_ bytes: [UInt8], atomAllowed: Bool, into current: inout [UInt8],
                              parts: inout [EncodedCommand.Part]) throws(IMAPError) -> String {
        if bytes.contains(0) { throw refuse("NUL in a string argument") }
        // ASTRING-CHAR = ATOM-CHAR / resp-specials
        if atomAllowed, !bytes.isEmpty, bytes.allSatisfy({ ParseCursor.isAtomChar($0) && $0 < 0x80 || $0 == 0x5D }),
           !(bytes.count == 3 && String(decoding: bytes, as: UTF8.self).uppercased() == "NIL") {
            current += bytes
            return String(decoding: bytes, as: UTF8.self)
        }
        // QUOTED-CHAR excludes CR and LF; 8-bit only as UTF-8 once UTF8=ACCEPT is on (RFC 6855).
        let quotable = bytes.count <= Self.quotedLengthLimit
            && !bytes.contains { $0 == 0x0D || $0 == 0x0A || ($0 >= 0x80 && !utf8Accepted) }
            && (!utf8Accepted || String(validating: bytes, as: UTF8.self) != nil)
        if quotable {
            var quoted: [UInt8] = [0x22]
            for b in bytes {
                if b == 0x22 || b == 0x5C { quoted.append(0x5C) }
                quoted.append(b)
            }
            quoted.append(0x22)
            current += quoted
            return String(decoding: quoted, as: UTF8.self)
        }
        return appendLiteral(bytes, binary: false, into: &current, parts: &parts)
    }

    private func appendLiteral(_ bytes: [UInt8], binary: Bool, into current: inout [UInt8],
                               parts: inout [EncodedCommand.Part]) -> String {
        let nonSync = literalMode == .literalPlus || (literalMode == .literalMinus && bytes.count <= Self.literalMinusLimit)
        let header = (binary ? "~" : "") + "{\(bytes.count)\(nonSync ? "+" : "")}"
        current += Array(header.utf8)
        current += [0x0D, 0x0A]
        if !nonSync {
            parts.append(EncodedCommand.Part(bytes: current, waitsForContinuation: true))
            current = []
        }
        current += bytes
        return "\(header) <\(bytes.count) bytes>"
    }
}

/// An encoded command: the bytes in parts (split where a synchronizing literal waits for `+`)
/// and the transcript line (literal data summarised, secrets redacted).
public struct EncodedCommand: Sendable, Hashable {
    public struct Part: Sendable, Hashable {
        public var bytes: [UInt8]
        /// Wait for the server's continuation request before sending the next part.
        public var waitsForContinuation: Bool
    }

    public var tag: String
    public var parts: [Part]
    /// What the transcript shows, e.g. `A3 LOGIN alice <redacted: credentials of alice>`.
    public var transcript: String

    /// All bytes, for tests and non-synchronizing sends.
    public var bytes: [UInt8] { parts.flatMap(\.bytes) }
}
