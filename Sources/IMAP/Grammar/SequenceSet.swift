/// A set of message sequence numbers or UIDs (RFC 9051 §9 `sequence-set`): `1:4,7,20:*`.
///
/// `*` (the largest number in use) is `UInt32.max` here; a range `n:*` is `n...UInt32.max`.
public struct SequenceSet: Sendable, Hashable, CustomStringConvertible {
    public private(set) var ranges: [ClosedRange<UInt32>]

    public init(_ ranges: [ClosedRange<UInt32>]) { self.ranges = ranges }
    public init(_ range: ClosedRange<UInt32>) { self.ranges = [range] }
    public init(_ numbers: [UInt32]) { self.ranges = numbers.map { $0...$0 } }

    /// `n:*`: everything from `n` on.
    public static func from(_ first: UInt32) -> SequenceSet { SequenceSet(first...UInt32.max) }
    /// `1:*`: every message.
    public static let all = SequenceSet(1...UInt32.max)

    public var isEmpty: Bool { ranges.isEmpty }

    /// The numbers in order (ranges ending in `*` are not expanded: avoid on such sets).
    public var values: [UInt32] { ranges.flatMap { Array($0) } }

    public func contains(_ n: UInt32) -> Bool { ranges.contains { $0.contains(n) } }

    /// The wire form: `1:4,7,20:*`.
    public var description: String {
        ranges.map { r in
            func n(_ v: UInt32) -> String { v == UInt32.max ? "*" : String(v) }
            return r.lowerBound == r.upperBound ? n(r.lowerBound) : "\(n(r.lowerBound)):\(n(r.upperBound))"
        }.joined(separator: ",")
    }
}
