#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Base64 (RFC 4648 §4) for SASL lines (RFC 4954 §4); Foundation does the work.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
    /// `nil` for text that is not base64. An empty line is an empty challenge.
    static func decode(_ text: String) -> [UInt8]? {
        let t = text.trimmingSpacesAndTabs
        if t.isEmpty || t == "=" { return [] }
        return Data(base64Encoded: t).map { Array($0) }
    }
}
