extension ParseCursor {
    // mailbox-data = "FLAGS" SP flag-list / "LIST" SP mailbox-list / esearch-response /
    //     "STATUS" SP mailbox SP "(" [status-att-list] ")" / number SP "EXISTS" / number SP "RECENT"
    // capability-data, enable-data, namespace-response, id-response, "SEARCH" *(SP nz-number)
    /// Parses the data after `* ` (the frame is not a FETCH and not a status response).
    mutating func untaggedData() throws -> UntaggedResponse {
        if let n = try? numberPrefix() {
            let word = (try atom()).uppercased()
            switch word {
            case "EXISTS": return .exists(n)
            case "RECENT": return .recent(n)
            case "EXPUNGE": return .expunge(n)
            default: throw fail("unknown message data \(word)")
            }
        }
        let word = (try atom()).uppercased()
        switch word {
        case "OK", "NO", "BAD", "PREAUTH", "BYE":
            let (code, text) = try respText()
            return .status(StatusResponse(condition: .init(rawValue: word)!, code: code, text: text))
        case "CAPABILITY": return .capability(try capabilityList())
        // enable-data = "ENABLED" *(SP capability)
        case "ENABLED": return .enabled(try capabilityList().map(\.rawValue))
        case "FLAGS":
            try sp()
            return .flags(try parenthesizedList { try $0.flag() })
        case "LIST": try sp(); return .list(try mailboxList())
        case "STATUS": return try statusResponse()
        case "SEARCH":
            var numbers: [UInt32] = []
            while skip(Self.SP) {
                if peek == 0x28 { try skipValue(); continue }  // (MODSEQ n) of RFC 7162
                if atLineEnd || atEnd { break }
                numbers.append(try nzNumber())
            }
            return .search(numbers)
        case "ESEARCH": return .esearch(try esearchResponse())
        // RFC 7162 §3.2.10: "VANISHED" [SP "(EARLIER)"] SP known-uids
        case "VANISHED":
            try sp()
            let earlier = skipWord("(EARLIER)")
            if earlier { try sp() }
            return .vanished(earlier: earlier, try sequenceSet())
        case "NAMESPACE": return .namespace(try namespaceResponse())
        case "ID": return .id(try idResponse())
        default: throw fail("unknown response \(word)")
        }
    }

    /// `number SP` at the start of message data, or no change.
    private mutating func numberPrefix() throws -> UInt32 {
        let save = index
        do {
            let n = try number()
            try sp()
            return n
        } catch {
            index = save
            throw error
        }
    }

    // mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox [SP mbox-list-extended]
    mutating func mailboxList() throws -> MailboxInfo {
        let attributes = try parenthesizedList { c in
            MailboxAttribute(c.skip(0x5C) ? "\\" + (try c.atom()) : try c.atom())
        }
        try sp()
        var delimiter: Character?
        if !skipNil() {
            let d = try quoted()
            delimiter = String(decoding: d, as: UTF8.self).first
        }
        try sp()
        let name = try mailbox()
        return MailboxInfo(attributes: attributes, delimiter: delimiter, name: name)
    }

    // mailbox = "INBOX" / astring
    mutating func mailbox() throws -> MailboxName {
        MailboxName(wire: try astring())
    }

    // status-att-list = status-att-val *(SP status-att-val)
    mutating func statusResponse() throws -> UntaggedResponse {
        try sp()
        let name = try mailbox()
        try sp()
        var status = MailboxStatus()
        _ = try parenthesizedList { c in
            let key = (try c.atom()).uppercased()
            try c.sp()
            let value = try c.number64()
            switch key {
            case "MESSAGES": status.messages = UInt32(clamping: value)
            case "RECENT": status.recent = UInt32(clamping: value)
            case "UIDNEXT": status.uidNext = UInt32(clamping: value)
            case "UIDVALIDITY": status.uidValidity = UInt32(clamping: value)
            case "UNSEEN": status.unseen = UInt32(clamping: value)
            case "SIZE": status.size = value
            case "HIGHESTMODSEQ": status.highestModSeq = value
            default: break
            }
        }
        return .mailboxStatus(name, status)
    }

    // esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
    // search-correlator = SP "(" "TAG" SP tag-string ")"
    mutating func esearchResponse() throws -> ESearchResponse {
        var r = ESearchResponse()
        while skip(Self.SP) {
            if atLineEnd || atEnd { break }
            if peek == 0x28 {
                try expect(0x28)
                guard skipWord("TAG") else { throw fail("expected TAG in the search correlator") }
                try sp()
                r.tag = try stringText()
                try expect(0x29)
                continue
            }
            let key = (try atom()).uppercased()
            if key == "UID" { r.uid = true; continue }
            try sp()
            switch key {
            case "MIN": r.min = try nzNumber()
            case "MAX": r.max = try nzNumber()
            case "COUNT": r.count = try number()
            case "ALL": r.all = try sequenceSet()
            default: try skipValue()
            }
        }
        return r
    }

    // Namespace-Response = "NAMESPACE" SP Namespace SP Namespace SP Namespace
    // Namespace = nil / "(" 1*Namespace-Descr ")"
    // Namespace-Descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) *(Namespace-Response-Extension) ")"
    mutating func namespaceResponse() throws -> NamespaceResponse {
        func namespace(_ c: inout ParseCursor) throws -> [NamespaceResponse.Entry] {
            try c.sp()
            if c.skipNil() { return [] }
            return try c.parenthesizedList(allowEmpty: false) { d in
                try d.expect(0x28)
                let prefix = try d.stringText()
                try d.sp()
                let delimiter: Character? = d.skipNil() ? nil : String(decoding: try d.quoted(), as: UTF8.self).first
                while d.skip(Self.SP) { try d.skipValue() }
                try d.expect(0x29)
                return NamespaceResponse.Entry(prefix: prefix, delimiter: delimiter)
            }
        }
        let personal = try namespace(&self)
        let other = try namespace(&self)
        let shared = try namespace(&self)
        return NamespaceResponse(personal: personal, otherUsers: other, shared: shared)
    }

    // id-response = "ID" SP id-params-list ; id-params-list = "(" *(string SP nstring) ")" / nil
    mutating func idResponse() throws -> [String: String?] {
        try sp()
        if skipNil() { return [:] }
        var out: [String: String?] = [:]
        try expect(0x28)
        while true {
            while skip(Self.SP) {}
            if skip(0x29) { return out }
            let key = try stringText()
            try sp()
            out[key] = .some(try nstringText())
        }
    }
}
