@testable import IMAP

/// Feeds `bytes` to a fresh parser in chunks of the given sizes (cycled) and returns every event,
/// with consecutive `streamingBytes` joined so different chunkings compare equal.
func parse(_ bytes: [UInt8], chunks: [Int] = [Int.max], limits: ParserLimits = ParserLimits()) throws -> [ResponseEvent] {
    var parser = ResponseParser(limits: limits)
    var events: [ResponseEvent] = []
    var pending: [UInt8]?
    func drain() throws {
        while let e = try parser.next() {
            if case .streamingBytes(let b) = e {
                if pending == nil { pending = [] }
                pending!.append(contentsOf: b)
                continue
            }
            if let p = pending { events.append(.streamingBytes(p)); pending = nil }
            events.append(e)
        }
    }
    var offset = 0, k = 0
    while offset < bytes.count {
        let n = min(chunks[k % chunks.count], bytes.count - offset)
        parser.append(bytes[offset..<offset + n])
        offset += n
        k += 1
        try drain()
    }
    try drain()
    if let p = pending { events.append(.streamingBytes(p)) }
    return events
}

func parse(_ text: String, chunks: [Int] = [Int.max], limits: ParserLimits = ParserLimits()) throws -> [ResponseEvent] {
    try parse(Array(text.utf8), chunks: chunks, limits: limits)
}

/// Whole, byte by byte, and three seeded random chunkings.
func chunkings(count: Int) -> [[Int]] {
    var out: [[Int]] = [[Int.max], [1], [2, 3, 1]]
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<3 {
        var sizes: [Int] = []
        for _ in 0..<64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            sizes.append(Int(seed >> 33) % max(2, count / 4) + 1)
        }
        out.append(sizes)
    }
    return out
}

/// The attributes of the first FETCH in `events`.
func fetchAttributes(_ events: [ResponseEvent]) -> [MessageAttribute] {
    events.compactMap { if case .fetchAttribute(let a) = $0 { a } else { nil } }
}

func crlf(_ lines: String...) -> String { lines.map { $0 + "\r\n" }.joined() }
