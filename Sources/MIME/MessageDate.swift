#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// RFC 5322 §3.3 date-time, written without locale: `Tue, 01 Dec 2026 08:31:50 +0000`, and
/// read tolerantly (obsolete zones, missing day name, two-digit years, RFC 5322 §4.3).
public enum MessageDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `day-name, DD Mon YYYY HH:MM:SS ±HHMM` in `timeZone`'s offset at that instant. The day
    /// is always two digits, so the length is fixed (the writer's size is exact before writing).
    /// Computed in the proleptic Gregorian calendar with POSIX names, no locale (RFC 5322 §3.3).
    public static func format(_ date: Date, timeZone: TimeZone = TimeZone(secondsFromGMT: 0)!) -> String {
        let offset = timeZone.secondsFromGMT(for: date)
        let t = date.timeIntervalSince1970
        let local = (t.isFinite ? Int(min(max(t, -1e14), 1e14).rounded(.down)) : 0) + offset
        let days = floorDiv(local, 86_400), seconds = local - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        let weekday = (days % 7 + 11) % 7   // 1970-01-01 was a Thursday (index 4)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        return "\(Self.days[weekday]), \(two(day)) \(months[month - 1]) \(String(year).leftPadded(4))"
            + " \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)) \(sign)\(two(minutes / 60))\(two(minutes % 60))"
    }

    private static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Year, month (1–12), day (1–31) of a day count from 1970-01-01, proleptic Gregorian
    /// (H. Hinnant's `civil_from_days`).
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Parses an RFC 5322 §3.3 date (and §4.3 obsolete forms); nil when it is not a date.
    public static func parse(_ text: String) -> Date? {
        var s = AddressListScanner.stripComments(text)
        if let comma = s.firstIndex(of: ",") { s = String(s[s.index(after: comma)...]) }
        let t = s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).map(String.init)
        guard t.count >= 4, let day = Int(t[0]),
              let month = months.firstIndex(where: { $0.caseInsensitiveCompare(String(t[1].prefix(3))) }),
              var year = Int(t[2]) else { return nil }
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }
        let hms = t[3].split(separator: ":").compactMap { Int($0) }
        guard hms.count >= 2 else { return nil }
        var offset = 0
        if t.count >= 5 {
            let z = t[4]
            if let first = z.first, first == "+" || first == "-", let v = Int(z.dropFirst()), z.count == 5 {
                offset = (v / 100 * 3600 + v % 100 * 60) * (first == "-" ? -1 : 1)
            } else {
                let zones = ["UT": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7]
                offset = (zones[z.uppercased()] ?? 0) * 3600
            }
        }
        let second = hms.count > 2 ? hms[2] : 0
        guard (1...9999).contains(year), (1...12).contains(month + 1), (1...31).contains(day), (0...23).contains(hms[0]), (0...59).contains(hms[1]),
              (0...60).contains(second) else { return nil }
        let days = days(fromCivil: year, month + 1, day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hms[0] * 3600 + hms[1] * 60 + second - offset))
    }
}
