#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One parsed FETCH item, or the start of a section whose bytes will stream.
enum ParsedFetchItem {
    case attribute(MessageAttribute)
    case streaming(BodySectionKind, size: Int)
}

extension ParseCursor {
    // msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
    // msg-att-dynamic = "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"
    // msg-att-static  = "ENVELOPE" SP envelope / "INTERNALDATE" SP date-time / "RFC822.SIZE" SP number64 /
    //     "BODY" ["STRUCTURE"] SP body / "BODY" section ["<" number ">"] SP nstring /
    //     "BINARY" section-binary SP (nstring / literal8) / "BINARY.SIZE" section-binary SP number / "UID" SP uniqueid
    /// One item. A malformed value becomes `.invalid`; a section whose literal starts at the end
    /// of the segment and exceeds the streaming threshold becomes `.streaming`.
    mutating func msgAtt() throws -> ParsedFetchItem {
        let name = try fetchItemName()
        let valueStart = index
        do {
            try sp()
            return try msgAttValue(name)
        } catch let failure as ParseFailure {
            index = valueStart
            _ = skip(Self.SP)
            let rawStart = index
            var reason = failure.reason
            do {
                try skipValue()
            } catch {
                // Not even skippable: the rest of the segment is this item's raw text.
                reason += "; the rest of the reply could not be delimited"
                index = end
                while index > rawStart, bytes[index - 1] == Self.LF || bytes[index - 1] == Self.CR { index -= 1 }
            }
            let raw = printablePreview(bytes[rawStart..<index])
            let upper = name.uppercased()
            if upper == "BODYSTRUCTURE" || upper == "BODY" {
                return .attribute(.bodyStructure(.invalid(raw: raw, reason: reason)))
            }
            return .attribute(.invalid(name: name, raw: raw))
        }
    }

    /// The item name with its bracketed section and partial origin: `BODY[HEADER.FIELDS (FROM)]<0>`.
    mutating func fetchItemName() throws -> String {
        let start = index
        while index < end, Self.isAtomChar(bytes[index]), bytes[index] != 0x5B { index += 1 }
        if skip(0x5B) {
            while index < end, bytes[index] != 0x5D, bytes[index] != Self.CR, bytes[index] != Self.LF { index += 1 }
            try expect(0x5D)
            if skip(0x3C) {
                _ = try number()
                try expect(0x3E)
            }
        }
        guard index > start else { throw fail("expected a FETCH item name at \"\(rest(20))\"") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func msgAttValue(_ name: String) throws -> ParsedFetchItem {
        // Servers send item names in upper case: the name as it came is tried first, and only an
        // unknown one is upper-cased and tried again.
        if let item = try msgAttValue(upper: name, name: name) { return item }
        let upper = name.uppercased()
        if upper != name, let item = try msgAttValue(upper: upper, name: name) { return item }
        throw fail("unknown FETCH item \(name)")
    }

    /// The value of the item named `upper` (upper case), or `nil` for an unknown name.
    private mutating func msgAttValue(upper: String, name: String) throws -> ParsedFetchItem? {
        switch upper {
        case "BODY[]", "BINARY[]":  // the whole message, the common case: no section to parse
            return try sectionValue(BodySectionKind(binary: upper == "BINARY[]", section: .complete))
        case "UID": return .attribute(.uid(try nzNumber()))
        case "FLAGS": return .attribute(.flags(try parenthesizedList { try $0.flag() }))
        case "RFC822.SIZE": return .attribute(.rfc822Size(try number64()))
        case "INTERNALDATE":
            let text = try stringText()
            return .attribute(.internalDate(text, Self.dateTime(text)))
        case "ENVELOPE": return .attribute(.envelope(try envelope()))
        case "BODYSTRUCTURE", "BODY": return .attribute(.bodyStructure(try body()))
        case "MODSEQ":
            try expect(0x28)
            let v = try number64()
            try expect(0x29)
            return .attribute(.modSeq(v))
        case "RFC822": return try sectionValue(BodySectionKind(section: .complete))
        case "RFC822.HEADER": return try sectionValue(BodySectionKind(section: .header))
        case "RFC822.TEXT": return try sectionValue(BodySectionKind(section: .text))
        default:
            if upper.hasPrefix("BODY[") || upper.hasPrefix("BINARY[") {
                return try sectionValue(try Self.sectionKind(name))
            }
            if upper.hasPrefix("BINARY.SIZE[") {
                let kind = try Self.sectionKind(name)
                return .attribute(.binarySize(kind.section, try number64()))
            }
            return nil
        }
    }

    /// `nstring` / `literal8` for a section; a big literal at the end of the segment streams.
    private mutating func sectionValue(_ kind: BodySectionKind) throws -> ParsedFetchItem {
        if skipNil() { return .attribute(.bodySection(kind, nil)) }
        if peek == Self.DQUOTE { return .attribute(.bodySection(kind, try quoted())) }
        guard let n = try literalHeader() else { throw fail("expected a string for \(kind)") }
        if index + n > end {
            guard index == end, n > limits.streamingThreshold else { throw fail("literal runs past the frame") }
            return .streaming(kind, size: n)
        }
        defer { index += n }
        return .attribute(.bodySection(kind, Array(bytes[index..<index + n])))
    }

    // section = "[" [section-spec] "]" ; section-spec = section-msgtext / (section-part ["." section-text])
    // section-part = nz-number *("." nz-number)
    /// `BODY[1.2.HEADER]<10>` → part [1, 2], text HEADER, origin 10.
    static func sectionKind(_ name: String) throws -> BodySectionKind {
        let binary = name.uppercased().hasPrefix("BINARY")
        guard let open = name.firstIndex(of: "["), let close = name.lastIndex(of: "]"), open < close else {
            throw ParseFailure(reason: "bad section in \(name)")
        }
        let spec = name[name.index(after: open)..<close]
        var part: [Int] = []
        var text: String?
        var rest = Substring(spec)
        while let dot = rest.firstIndex(of: ".") ?? (rest.isEmpty ? nil : rest.endIndex),
              let n = Int(rest[..<dot]), n > 0 {
            part.append(n)
            rest = dot == rest.endIndex ? "" : rest[rest.index(after: dot)...]
        }
        if !rest.isEmpty { text = String(rest).uppercased() }
        var origin: UInt32?
        let tail = name[name.index(after: close)...]
        if tail.hasPrefix("<"), tail.hasSuffix(">") { origin = UInt32(tail.dropFirst().dropLast()) }
        return BodySectionKind(binary: binary, section: SectionSpecifier(part: part, text: text), origin: origin)
    }

    // date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    /// `17-Jul-1996 02:44:25 -0700` as a date; `nil` when it does not follow the grammar.
    static func dateTime(_ text: String) -> Date? {
        let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        let parts = text.trimmingSpacesAndTabs.split(separator: " ")
        guard parts.count == 3 else { return nil }
        let dmy = parts[0].split(separator: "-")
        let hms = parts[1].split(separator: ":")
        let zone = parts[2]
        guard dmy.count == 3, hms.count == 3, let day = Int(dmy[0]), let year = Int(dmy[2]),
              let month = months.firstIndex(of: dmy[1].uppercased()).map({ $0 + 1 }),
              let h = Int(hms[0]), let m = Int(hms[1]), let s = Int(hms[2]),
              zone.count == 5, let z = Int(zone.dropFirst()), zone.first == "+" || zone.first == "-"
        else { return nil }
        // Days from civil (Howard Hinnant's algorithm), proleptic Gregorian.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let offset = (z / 100 * 3600 + z % 100 * 60) * (zone.first == "-" ? -1 : 1)
        let seconds = days * 86_400 + h * 3600 + m * 60 + s - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
