#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one-line JSON a subcommand prints at the end (keys sorted, so lines compare). Written by
/// hand (strings, integers, numbers, booleans): `JSONSerialization` would link full Foundation,
/// whose 7 MB of start-up RSS would be measured as the engine's.
enum Summary {
    static func print(_ fields: [String: any Sendable]) {
        let members = fields.keys.sorted().map { key in "\(quoted(key)):\(value(fields[key]!))" }
        Swift.print("{" + members.joined(separator: ",") + "}")
    }

    private static func value(_ v: any Sendable) -> String {
        switch v {
        case let b as Bool: return b ? "true" : "false"
        case let i as Int: return String(i)
        case let d as Double: return d.isFinite ? String(d) : "null"
        case let s as String: return quoted(s)
        default: return quoted(String(describing: v))
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// Seconds since `start`, from the monotonic clock.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Reads a whole file (the peers read theirs whole too).
func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw BenchFailure("cannot read \(path)")
    }
    return [UInt8](data)
}

/// A benchmark that could not do its work: printed, exit status 1.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
