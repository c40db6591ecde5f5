#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Parses RFC 5322 / MIME (RFC 2045–2049) messages into a ``ParsedMessage`` tree, never
/// throwing for bad input: defects are recorded on the parts (``MIMEDefect``).
///
/// ```swift
/// let m = MIMEParser.parse(bytes)
/// m.subject; m.text; m.attachments.map { ($0.filename, $0.size) }
/// ```
/// For messages larger than memory use ``parse(_:onEvent:)`` or ``MIMEStreamParser``.
public enum MIMEParser {
    /// The whole tree, with decoded bodies.
    public static func parse(_ bytes: [UInt8]) -> ParsedMessage {
        var parser = MIMEStreamParser()
        var tree = PartTreeBuilder()
        let step = 1 << 20
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + step, bytes.count)
            tree.remainingInput = bytes.count - offset
            for e in parser.feed(bytes[offset..<end]) { tree.apply(e) }
            offset = end
        }
        for e in parser.finish() { tree.apply(e) }
        return ParsedMessage(root: tree.root)
    }

    /// The whole tree, with decoded bodies.
    public static func parse(_ data: Data) -> ParsedMessage {
        parse([UInt8](data))
    }

    /// The whole tree, from chunks arriving asynchronously (an IMAP literal, a file read).
    public static func parse<S: AsyncSequence>(_ chunks: S, isolation: isolated (any Actor)? = #isolation) async throws -> ParsedMessage
    where S.Element: Collection, S.Element.Element == UInt8 {
        var tree = PartTreeBuilder()
        try await parse(chunks, isolation: isolation) { tree.apply($0) }
        return ParsedMessage(root: tree.root)
    }

    /// Streams: `onEvent` receives each part's headers, its decoded body in pieces and its end,
    /// in bounded memory whatever the message size.
    public static func parse<S: AsyncSequence>(_ chunks: S, isolation: isolated (any Actor)? = #isolation,
                                               onEvent: (MIMEEvent) async throws -> Void) async throws
    where S.Element: Collection, S.Element.Element == UInt8 {
        var parser = MIMEStreamParser()
        var iterator = chunks.makeAsyncIterator()
        while let chunk = try await iterator.next(isolation: isolation) {
            for e in parser.feed(chunk) { try await onEvent(e) }
        }
        for e in parser.finish() { try await onEvent(e) }
    }
}

/// Assembles ``MIMEEvent``s into the part tree and converts text bodies from their charsets.
struct PartTreeBuilder {
    private var stack: [ParsedPart] = []
    /// Input bytes not yet fed when the whole message is at hand (a bound on any body's size).
    var remainingInput: Int?
    private(set) var root = ParsedPart(path: [], headers: [], contentType: .textPlain, transferEncoding: "7bit")

    mutating func apply(_ event: MIMEEvent) {
        switch event {
        case .partStart(let p):
            stack.append(p)
        case .body(_, let bytes):
            if stack.isEmpty { return }
            let top = stack.count - 1
            if stack[top].body.isEmpty {
                if let remainingInput, bytes.count >= MIMEStreamParser.outputChunk / 2 {
                    // A large body: room for all it can still hold (decoded, it is no longer
                    // than the input left), so it grows without copies; pages never written
                    // are never resident. Trimmed at the part's end if much was left over.
                    let bound = stack[top].transferEncoding == "base64" ? remainingInput / 4 * 3 + 3 : remainingInput
                    stack[top].body.reserveCapacity(bytes.count + bound)
                    stack[top].body.append(contentsOf: bytes)
                } else {
                    stack[top].body = bytes
                }
            } else {
                stack[top].body.append(contentsOf: bytes)
            }
        case .partEnd(_, let defects):
            guard var p = stack.popLast() else { return }
            p.defects += defects
            if p.body.capacity - p.body.count > max(1 << 20, p.body.count / 8) {
                let body = p.body
                p.body = [UInt8](unsafeUninitializedCapacity: body.count) { dst, n in
                    n = body.withUnsafeBufferPointer { dst.update(fromContentsOf: $0) }
                }
            }
            if p.contentType.isText, p.children.isEmpty {
                let declared = p.charset
                let (text, exact) = Charset.decodeLeniently(p.body, charset: declared)
                if !exact { p.defects.append(MIMEDefect(.undecodableText, path: p.path, detail: declared ?? "no charset, not UTF-8")) }
                p.text = text
            }
            if stack.isEmpty { root = p } else { stack[stack.count - 1].children.append(p) }
        }
    }
}
