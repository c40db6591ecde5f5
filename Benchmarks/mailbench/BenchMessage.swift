import MIME

/// The messages the SMTP cases send: exactly `size` octets of RFC 5322 text, CRLF line ends.
/// Up to 64 KiB a plain-text invoice note padded to size (like the peers' small.eml); larger, a
/// multipart/mixed message with a real base64 PDF-typed attachment (like their big.eml).
enum BenchMessage {
    static let head = "From: Shop <shop@example.test>\r\nTo: customer@example.test\r\nSubject: Invoice\r\n"
        + "Message-ID: <bench@example.test>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"

    static func make(size: Int) throws -> [UInt8] {
        let bytes = size <= 64 * 1024 ? small(size: size) : withAttachment(size: size)
        guard bytes.count == size else { throw BenchFailure("cannot build a message of exactly \(size) bytes") }
        return bytes
    }

    static func small(size: Int) -> [UInt8] {
        var text = Array((head + "Content-Type: text/plain; charset=utf-8\r\n\r\n").utf8)
        let line = Array("Thank you for your order. This line pads the message to its size.\r\n".utf8)
        while text.count + line.count <= size { text += line }
        if size - text.count >= 2 {
            text += [UInt8](repeating: UInt8(ascii: "x"), count: size - text.count - 2) + [13, 10]
        }
        return text
    }

    static func withAttachment(size: Int) -> [UInt8] {
        let top = Array((head + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
            + "Content-Type: text/plain\r\n\r\nInvoice attached.\r\n").utf8)
        let attachmentHead = Array(("--b\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n").utf8)
        let tail = Array("\r\n--b--\r\n".utf8)
        // Payload whose base64 lines leave under 80 octets to fill with padding lines of text.
        var payloadCount = (size - top.count - attachmentHead.count - tail.count) / 78 * 57
        var encoded: [UInt8] = []
        while true {
            encoded = TransferCodec.base64Encode(noise(count: payloadCount))
            if top.count + attachmentHead.count + encoded.count + tail.count <= size - 4 { break }
            payloadCount -= 57
        }
        let room = size - (top.count + attachmentHead.count + encoded.count + tail.count)
        // Fill the text part with lines of `x` (each at most 78 octets plus CRLF).
        var filler: [UInt8] = []
        var left = room
        while left > 0 {
            let n = min(left, 80)
            let body = max(n - 2, 0)
            filler += [UInt8](repeating: UInt8(ascii: "x"), count: body) + (n >= 2 ? [13, 10] : [UInt8(ascii: "x")])
            left -= n
        }
        return top + filler + attachmentHead + encoded + tail
    }

    /// Incompressible bytes, fast (SplitMix64, 8 octets a step; the kernel's getrandom per
    /// octet would dominate the timing).
    static func noise(count: Int) -> [UInt8] {
        var state = UInt64(0x1234_5678_9abc_def0)
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, n in
            var i = 0
            while i < count {
                state &+= 0x9e37_79b9_7f4a_7c15
                var z = state
                z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
                z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
                z ^= z >> 31
                for k in 0..<min(8, count - i) { buffer[i + k] = UInt8(truncatingIfNeeded: z >> (8 * UInt64(k))) }
                i += 8
            }
            n = count
        }
    }
}
