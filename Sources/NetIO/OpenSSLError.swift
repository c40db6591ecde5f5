internal import CSSLShim

/// OpenSSL's thread-local error queue, drained into words.
enum OpenSSLError {
    struct Entry {
        let code: UInt
        let text: String
        /// Reason string alone, e.g. "unsupported protocol", "wrong version number".
        let reason: String
    }

    /// Empties the queue and returns its entries, oldest first.
    static func drain() -> [Entry] {
        var out: [Entry] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buf = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buf, buf.count)
            let reason = ERR_reason_error_string(code).map { String(cString: $0) } ?? ""
            out.append(Entry(code: code, text: String(cBuffer: buf), reason: reason))
        }
        return out
    }

    /// The drained queue as one line: reasons joined by "; ".
    static func drainText() -> String { text(of: drain()) }

    /// The entries as evidence: each one's reason, or its full text when it has none.
    static func text(of entries: [Entry]) -> String {
        entries.map { $0.reason.isEmpty ? $0.text : $0.reason }.joined(separator: "; ")
    }

    /// The linked OpenSSL's version text, e.g. `OpenSSL 3.0.17 1 Jul 2025`.
    static var versionText: String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }
}

/// Versions of the C libraries this engine runs on, for support bundles.
public enum LibraryVersions {
    /// The OpenSSL library in use at run time.
    public static var openSSL: String { OpenSSLError.versionText }
}
