/// Modified UTF-7, the mailbox name encoding of RFC 3501 §5.1.3 (kept by RFC 9051 §5.1.3 for
/// servers without UTF8=ACCEPT): printable ASCII stands for itself, `&` is `&-`, anything else
/// is UTF-16 in base64 with `,` for `/`, without padding, between `&` and `-`.
public enum ModifiedUTF7 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    /// The wire form of a mailbox name.
    public static func encode(_ name: String) -> String {
        var out: [UInt8] = []
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var bytes: [UInt8] = []
            for unit in pending { bytes.append(UInt8(unit >> 8)); bytes.append(UInt8(unit & 0xFF)) }
            out.append(0x26)  // &
            var i = 0
            while i < bytes.count {
                let b0 = Int(bytes[i]), b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0
                let b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
                let n = (b0 << 16) | (b1 << 8) | b2
                out.append(alphabet[(n >> 18) & 63])
                out.append(alphabet[(n >> 12) & 63])
                if i + 1 < bytes.count { out.append(alphabet[(n >> 6) & 63]) }
                if i + 2 < bytes.count { out.append(alphabet[n & 63]) }
                i += 3
            }
            out.append(0x2D)  // -
            pending.removeAll()
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                if scalar == "&" { out.append(0x26); out.append(0x2D) } else { out.append(UInt8(scalar.value)) }
            } else {
                pending.append(contentsOf: String(scalar).utf16)
            }
        }
        flush()
        return String(decoding: out, as: UTF8.self)
    }

    /// The name a modified UTF-7 wire form stands for; `nil` when it is not valid modified UTF-7
    /// (bad base64, an unterminated shift, a non-ASCII byte, UTF-16 that does not decode).
    public static func decode(_ wire: some Collection<UInt8>) -> String? {
        var out = String.UnicodeScalarView()
        var units: [UInt16] = []
        var bits = 0, acc = 0
        var inShift = false, shiftLength = 0
        for byte in wire {
            if !inShift {
                guard byte >= 0x20 && byte <= 0x7E else { return nil }
                if byte == 0x26 { inShift = true; shiftLength = 0; bits = 0; acc = 0; units = [] } else {
                    out.append(Unicode.Scalar(byte))
                }
                continue
            }
            if byte == 0x2D {
                inShift = false
                if shiftLength == 0 { out.append("&"); continue }
                // Leftover bits must be zero padding shorter than one UTF-16 unit.
                guard bits < 6, acc & ((1 << bits) - 1) == 0 else { return nil }
                var decoder = UTF16()
                var iterator = units.makeIterator()
                loop: while true {
                    switch decoder.decode(&iterator) {
                    case .scalarValue(let s):
                        // RFC 3501 §5.1.3: printable ASCII must not be base64-encoded.
                        if s.value >= 0x20 && s.value <= 0x7E { return nil }
                        out.append(s)
                    case .emptyInput: break loop
                    case .error: return nil
                    }
                }
                continue
            }
            let v = reverse[Int(byte)]
            guard v >= 0 else { return nil }
            shiftLength += 1
            acc = (acc << 6) | Int(v)
            bits += 6
            if bits >= 16 {
                bits -= 16
                units.append(UInt16((acc >> bits) & 0xFFFF))
                acc &= (1 << bits) - 1
            }
        }
        return inShift ? nil : String(out)
    }
}
