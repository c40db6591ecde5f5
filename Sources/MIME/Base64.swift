/// RFC 2045 §6.8 base64: a streaming encoder that writes 76-character CRLF lines straight into
/// a byte buffer, and a tolerant streaming decoder. Both work on bytes, never on Strings.
enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Octets of input per full line: 57 octets encode to 76 characters (RFC 2045 §6.8).
    static let lineInput = MIMELimits.base64LineLength / 4 * 3

    /// Every 12-bit value mapped to its two characters, the first in the low byte, so one
    /// look-up writes half a quantum.
    static let pairs: [UInt16] = (0..<4096).map { v in
        UInt16(alphabet[v >> 6]) | UInt16(alphabet[v & 63]) << 8
    }

    /// One full line: 57 octets at `src` to 76 characters at `dst`, six octets (eight
    /// characters) per step from an unaligned big-endian 8-byte load.
    @inline(__always)
    static func encodeLine(_ src: UnsafePointer<UInt8>, into dst: UnsafeMutablePointer<UInt8>, table t: UnsafePointer<UInt16>) {
        let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
        var k = 0, o = 0
        // Nine steps of six octets read 8 bytes each, the last ending at octet 56 (inside the line).
        while k < 54 {
            let v = UInt64(bigEndian: s.loadUnaligned(fromByteOffset: k, as: UInt64.self))
            let w = UInt64(t[Int(truncatingIfNeeded: v >> 52)])
                | UInt64(t[Int(truncatingIfNeeded: v >> 40 & 0xFFF)]) << 16
                | UInt64(t[Int(truncatingIfNeeded: v >> 28 & 0xFFF)]) << 32
                | UInt64(t[Int(truncatingIfNeeded: v >> 16 & 0xFFF)]) << 48
            d.storeBytes(of: w.littleEndian, toByteOffset: o, as: UInt64.self)
            k &+= 6
            o &+= 8
        }
        let v = UInt32(src[54]) << 16 | UInt32(src[55]) << 8 | UInt32(src[56])
        let w = UInt32(t[Int(v >> 12)]) | UInt32(t[Int(v & 0xFFF)]) << 16
        d.storeBytes(of: w.littleEndian, toByteOffset: 72, as: UInt32.self)
    }

    /// The exact encoded size of `count` bytes in lines of 76 characters separated by CRLF
    /// (no CRLF after the last line; zero bytes encode to nothing).
    static func encodedSize(of count: Int) -> Int {
        let chars = (count + 2) / 3 * 4
        let lines = (chars + MIMELimits.base64LineLength - 1) / MIMELimits.base64LineLength
        return chars + 2 * max(lines - 1, 0)
    }

    /// One unbroken base64 string (for RFC 2047 "B" words).
    static func encodeLine(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let v = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)],
                    rest == 2 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="), UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Streaming RFC 2045 §6.8 encoder: feed any chunks, get 76-character lines separated by CRLF
/// (a line break is written before a line, so the output never ends in one).
struct Base64LineEncoder {
    private var carry: (UInt8, UInt8) = (0, 0)
    private var carryCount = 0
    private var column = 0

    /// The most bytes `encode` can write for `count` input bytes (for sizing the destination).
    static func maximumOutput(for count: Int) -> Int {
        let chars = (count + 4) / 3 * 4
        return chars + 2 * (chars / MIMELimits.base64LineLength + 2)
    }

    /// Encodes `input` into `dst`, which must have room for `maximumOutput(for: input.count)`;
    /// returns the bytes written. Whole 57-octet lines go through ``Base64/encodeLine(_:into:table:)``
    /// (12 bits to two characters per look-up); the edges of a chunk go a quantum at a time.
    mutating func encode(_ input: UnsafeRawBufferPointer, into dst: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        var i = 0
        let count = input.count
        guard count > 0, let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        let lineLength = MIMELimits.base64LineLength
        Base64.pairs.withUnsafeBufferPointer { pairs in
            let t = pairs.baseAddress!
            @inline(__always) func quad(_ a: UInt8, _ b: UInt8, _ c: UInt8) {
                if column == lineLength {
                    dst[n] = 13; dst[n &+ 1] = 10
                    n &+= 2
                    column = 0
                }
                let v = UInt32(a) << 16 | UInt32(b) << 8 | UInt32(c)
                let w = UInt32(t[Int(v >> 12)]) | UInt32(t[Int(v & 0xFFF)]) << 16
                UnsafeMutableRawPointer(dst + n).storeBytes(of: w.littleEndian, as: UInt32.self)
                n &+= 4
                column &+= 4
            }
            // Complete a triple left over from the previous chunk.
            while carryCount > 0 && i < count {
                if carryCount == 1 { carry.1 = src[i]; carryCount = 2; i += 1 }
                else { quad(carry.0, carry.1, src[i]); carryCount = 0; i += 1 }
            }
            // Finish a line begun by the previous chunk.
            while column != 0 && column != lineLength && i + 3 <= count {
                quad(src[i], src[i + 1], src[i + 2])
                i += 3
            }
            // Whole lines.
            while i &+ Base64.lineInput <= count {
                if column == lineLength {
                    dst[n] = 13; dst[n &+ 1] = 10
                    n &+= 2
                }
                Base64.encodeLine(src + i, into: dst + n, table: t)
                n &+= lineLength
                i &+= Base64.lineInput
                column = lineLength
            }
            while i + 3 <= count {
                quad(src[i], src[i + 1], src[i + 2])
                i += 3
            }
            let rest = count - i
            if rest == 1 { carry.0 = src[i]; carryCount = 1 }
            else if rest == 2 { carry = (src[i], src[i + 1]); carryCount = 2 }
        }
        return n
    }

    /// Writes the padded final quantum (at most 6 bytes); returns the bytes written.
    mutating func finish(into dst: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        if carryCount > 0 {
            if column == MIMELimits.base64LineLength { dst[0] = 13; dst[1] = 10; n = 2; column = 0 }
            let t = Base64.alphabet
            let v = UInt32(carry.0) << 16 | (carryCount == 2 ? UInt32(carry.1) << 8 : 0)
            dst[n] = t[Int(v >> 18)]
            dst[n + 1] = t[Int(v >> 12 & 63)]
            dst[n + 2] = carryCount == 2 ? t[Int(v >> 6 & 63)] : UInt8(ascii: "=")
            dst[n + 3] = UInt8(ascii: "=")
            n += 4
            carryCount = 0
        }
        column = 0
        return n
    }
}

/// Tolerant streaming RFC 2045 §6.8 decoder: white space skipped, other characters outside the
/// alphabet skipped and counted, a truncated final quantum decoded as far as it goes.
struct Base64Decoder {
    private var acc: UInt32 = 0
    private var bits = 0
    private var quantumChars = 0
    /// Characters outside the alphabet (not white space) seen so far.
    private(set) var invalidCharacters = 0
    /// The input ended inside a quantum without padding (a truncated base64 body).
    private(set) var truncated = false

    private static let table: [Int8] = {
        var t = [Int8](repeating: -1, count: 256)
        for (i, c) in Base64.alphabet.enumerated() { t[Int(c)] = Int8(i) }
        for ws in [9, 10, 13, 32] { t[ws] = -2 }
        t[Int(UInt8(ascii: "="))] = -3
        t[Int(UInt8(ascii: "-"))] = 62   // base64url seen in broken mailers
        t[Int(UInt8(ascii: "_"))] = 63
        return t
    }()

    /// Four 256-entry tables of the 6-bit values already shifted into place for the 1st to 4th
    /// character of a quantum; anything outside the alphabet has bit 31 set, so one OR of four
    /// look-ups both decodes a quantum and tells whether it was clean.
    private static let shifted: [UInt32] = {
        var t = [UInt32](repeating: 0x8000_0000, count: 4 * 256)
        for c in 0..<256 where table[c] >= 0 {
            let v = UInt32(table[c])
            t[c] = v << 18; t[256 + c] = v << 12; t[512 + c] = v << 6; t[768 + c] = v
        }
        return t
    }()

    /// The most bytes ``decode(_:into:)`` writes for `count` input characters.
    /// (Three bytes per four characters, plus slack for the fast path's 8-byte stores.)
    static func maximumOutput(for count: Int) -> Int { count / 4 * 3 + 8 }

    mutating func decode<C: Collection<UInt8>>(_ input: C, into out: inout [UInt8]) {
        let done: Void? = input.withContiguousStorageIfAvailable { buf in
            decodeAppending(UnsafeRawBufferPointer(buf), to: &out)
        }
        if done == nil {
            let copy = Array(input)
            copy.withUnsafeBytes { decodeAppending($0, to: &out) }
        }
    }

    private mutating func decodeAppending(_ buf: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        guard buf.count > 0 else { return }
        let capacity = Self.maximumOutput(for: buf.count)
        if capacity <= 4096 {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { scratch in
                let n = decode(buf, into: scratch.baseAddress!)
                out.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress!, count: n))
            }
        } else if out.isEmpty {
            out = decoded(buf)
        } else {
            out.append(contentsOf: decoded(buf))
        }
    }

    /// `buf` decoded into a new array of exactly the decoded size, written in place.
    mutating func decoded(_ buf: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.maximumOutput(for: buf.count)) { dst, n in
            n = buf.count == 0 ? 0 : decode(buf, into: dst.baseAddress!)
        }
    }

    /// Decodes `buf` (any piece: the state carries over) into `dst`, which has room for
    /// ``maximumOutput(for:)`` bytes; returns the bytes written.
    mutating func decode(_ buf: UnsafeRawBufferPointer, into o: UnsafeMutablePointer<UInt8>) -> Int {
        guard buf.count > 0 else { return 0 }
        var acc = self.acc, bits = self.bits, invalid = 0, chars = self.quantumChars
        var n = 0
        Base64Decoder.table.withUnsafeBufferPointer { table in
            Base64Decoder.shifted.withUnsafeBufferPointer { shifted in
                let t = table.baseAddress!, q = shifted.baseAddress!
                let src = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
                let count = buf.count
                var i = 0
                while i < count {
                    if bits == 0 {
                        fast: while true {
                            // Clean quanta, sixteen characters (twelve bytes) at a time, stored
                            // as two 8-byte words (the destination has 8 bytes of slack).
                            while i &+ 16 <= count {
                                let p = src + i
                                let a = q[Int(p[0])] | q[256 &+ Int(p[1])] | q[512 &+ Int(p[2])] | q[768 &+ Int(p[3])]
                                let b = q[Int(p[4])] | q[256 &+ Int(p[5])] | q[512 &+ Int(p[6])] | q[768 &+ Int(p[7])]
                                let c = q[Int(p[8])] | q[256 &+ Int(p[9])] | q[512 &+ Int(p[10])] | q[768 &+ Int(p[11])]
                                let d = q[Int(p[12])] | q[256 &+ Int(p[13])] | q[512 &+ Int(p[14])] | q[768 &+ Int(p[15])]
                                guard (a | b | c | d) & 0x8000_0000 == 0 else { break }
                                let ab = (UInt64(a) << 40 | UInt64(b) << 16).byteSwapped   // six bytes in order, low first
                                let cd = (UInt64(c) << 40 | UInt64(d) << 16).byteSwapped
                                UnsafeMutableRawPointer(o + n).storeBytes(of: ab.littleEndian, as: UInt64.self)
                                UnsafeMutableRawPointer(o + (n &+ 6)).storeBytes(of: cd.littleEndian, as: UInt64.self)
                                n &+= 12
                                i &+= 16
                            }
                            // The rest of the line, a quantum at a time.
                            while i &+ 4 <= count {
                                let p = src + i
                                let v = q[Int(p[0])] | q[256 &+ Int(p[1])] | q[512 &+ Int(p[2])] | q[768 &+ Int(p[3])]
                                guard v & 0x8000_0000 == 0 else { break }
                                o[n] = UInt8(truncatingIfNeeded: v >> 16)
                                o[n &+ 1] = UInt8(truncatingIfNeeded: v >> 8)
                                o[n &+ 2] = UInt8(truncatingIfNeeded: v)
                                n &+= 3
                                i &+= 4
                            }
                            // A CRLF line break between quanta (every 76 characters): go on.
                            guard i &+ 2 <= count, src[i] == 13, src[i &+ 1] == 10 else { break fast }
                            i &+= 2
                        }
                        if i == count { break }
                    }
                    let v = t[Int(src[i])]
                    i += 1
                    if v >= 0 {
                        acc = acc << 6 | UInt32(v)
                        chars &+= 1
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            o[n] = UInt8(truncatingIfNeeded: acc >> UInt32(bits))
                            n += 1
                        }
                    } else if v == -3 {
                        bits = 0; acc = 0; chars = 0   // padding closes the quantum
                    } else if v == -1 {
                        invalid += 1
                    }
                }
            }
        }
        self.acc = acc & 0xFFFF
        self.bits = bits
        self.quantumChars = chars & 3
        self.invalidCharacters += invalid
        return n
    }

    /// Ends the input; a quantum left open (no `=` padding) marks it truncated.
    mutating func finish(into out: inout [UInt8]) {
        if quantumChars != 0 { truncated = true }
        quantumChars = 0
        bits = 0
        acc = 0
    }
}
