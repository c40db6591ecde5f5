public import Foundation

/// RFC 5322 §3.3 date-time, written without locale: `Tue, 01 Dec 2026 08:31:50 +0000`, and
/// read tolerantly (obsolete zones, missing day name, two-digit years, RFC 5322 §4.3).
public enum MessageDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `day-name, DD Mon YYYY HH:MM:SS ±HHMM` in `timeZone`'s offset at that instant. The day
    /// is always two digits, so the length is fixed (the writer's size is exact before writing).
    public static func format(_ date: Date, timeZone: TimeZone = TimeZone(secondsFromGMT: 0)!) -> String {
        let offset = timeZone.secondsFromGMT(for: date)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: offset) ?? TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day ?? 1)) \(months[(c.month ?? 1) - 1]) \(String(c.year ?? 1970).leftPadded(4))"
            + " \(two(c.hour ?? 0)):\(two(c.minute ?? 0)):\(two(c.second ?? 0)) \(sign)\(two(minutes / 60))\(two(minutes % 60))"
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
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: offset) ?? TimeZone(secondsFromGMT: 0)!
        let comps = DateComponents(year: year, month: month + 1, day: day, hour: hms[0], minute: hms[1], second: hms.count > 2 ? hms[2] : 0)
        return calendar.date(from: comps)
    }
}
