public import Foundation

/// When to try again after a temporary failure: exponential backoff with jitter, up to a maximum
/// age (RFC 5321 §4.5.4.1 suggests giving up after 4-5 days).
public struct RetryPolicy: Sendable, Hashable {
    /// Delay before the second attempt.
    public var initialDelay: TimeInterval
    /// Longest delay between attempts.
    public var maximumDelay: TimeInterval
    /// Give up (state `failed`) when a message is older than this.
    public var maximumAge: TimeInterval
    /// Fraction of the delay that is randomised (0…1): 0.5 means 50-100 % of the nominal delay.
    public var jitter: Double
    /// Re-send a message whose outcome is unknown. Off by default: that risks a duplicate invoice.
    public var resendWhenOutcomeUnknown: Bool

    public init(initialDelay: TimeInterval = 60, maximumDelay: TimeInterval = 3_600,
                maximumAge: TimeInterval = 4 * 86_400, jitter: Double = 0.5, resendWhenOutcomeUnknown: Bool = false) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.maximumAge = maximumAge
        self.jitter = min(max(jitter, 0), 1)
        self.resendWhenOutcomeUnknown = resendWhenOutcomeUnknown
    }

    /// The maximum age in words: "4 days", "1 hour".
    public var maximumAgeText: String {
        let hours = Int((maximumAge / 3600).rounded())
        if hours >= 48 && hours % 24 == 0 { return "\(hours / 24) days" }
        if hours >= 1 { return hours == 1 ? "1 hour" : "\(hours) hours" }
        return "\(Int(maximumAge)) seconds"
    }

    /// The delay after `failures` temporary failures (1 = after the first); `random` in 0..<1.
    public func delay(afterFailures failures: Int, random: Double) -> TimeInterval {
        let exponent = Double(max(0, failures - 1))
        let nominal = min(maximumDelay, initialDelay * pow(2, min(exponent, 30)))
        return nominal * (1 - jitter * random)
    }
}
