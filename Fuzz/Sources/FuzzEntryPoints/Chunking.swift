/// Deterministic pseudo-random chunking derived from the input itself, so a fuzz input (and its
/// regression replay) always splits the same way, while libFuzzer's mutations vary the split.
struct Chunking {
    private var state: UInt64

    init(_ bytes: [UInt8]) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        state = h
    }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Splits `bytes` into pieces of 1 to `maximum` bytes (often 1, to exercise byte-by-byte).
    mutating func split(_ bytes: [UInt8], maximum: Int = 64) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var i = 0
        while i < bytes.count {
            let r = next()
            let n = r & 3 == 0 ? 1 : Int((r >> 8) % UInt64(maximum)) + 1
            let end = min(bytes.count, i + n)
            out.append(bytes[i..<end])
            i = end
        }
        return out
    }
}

/// `precondition` that keeps its message in release builds (libFuzzer runs them), so a broken
/// invariant says which one and shows the evidence.
func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = "",
               file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("invariant broken: " + message(), file: file, line: line) }
}
