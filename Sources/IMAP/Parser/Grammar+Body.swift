extension ParseCursor {
    // body = "(" (body-type-1part / body-type-mpart) ")"
    mutating func body() throws -> BodyStructure {
        try expect(0x28)
        return try nested { c in
            let result: BodyStructure
            if c.peek == 0x28 {
                result = .multipart(try c.bodyTypeMpart())
            } else {
                result = .singlePart(try c.bodyType1part())
            }
            while c.skip(Self.SP) {}
            try c.expect(0x29)
            return result
        }
    }

    // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
    mutating func bodyTypeMpart() throws -> BodyStructure.Multipart {
        var parts: [BodyStructure] = []
        while peek == 0x28 {
            parts.append(try body())
            while skip(Self.SP) {}  // Gmail omits the space between parts; others send one
        }
        let subtype = try stringText()
        var m = BodyStructure.Multipart(parts: parts, subtype: subtype)
        // body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
        if skip(Self.SP), peek != 0x29 {
            m.parameters = try bodyFldParam()
            m.extensions = try bodyExtensionTail(md5: nil)
        }
        return m
    }

    // body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
    // body-type-basic = media-basic SP body-fields
    // body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
    // body-type-text  = media-text SP body-fields SP body-fld-lines
    mutating func bodyType1part() throws -> BodyStructure.SinglePart {
        let type = try stringText()
        try sp()
        let subtype = try stringText()
        try sp()
        // body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
        let params = try bodyFldParam(); try sp()
        let id = try nstringText(); try sp()
        let desc = try nstringText(); try sp()
        let enc = try stringText(); try sp()
        let octets = try number()
        var part = BodyStructure.SinglePart(type: type, subtype: subtype, parameters: params, id: id,
                                            contentDescription: desc, encoding: enc, size: octets)
        let t = type.uppercased(), s = subtype.uppercased()
        if t == "MESSAGE" && (s == "RFC822" || s == "GLOBAL") {
            try sp()
            part.envelope = try envelope()
            try sp()
            part.body = try body()
            try sp()
            part.lines = try number()
        } else if t == "TEXT" {
            try sp()
            part.lines = try number()
        }
        // body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
        if skip(Self.SP), peek != 0x29 {
            let md5 = try nstringText()
            part.extensions = try bodyExtensionTail(md5: md5)
        }
        return part
    }

    /// The optional disposition, language, location and further extensions after MD5 or params.
    private mutating func bodyExtensionTail(md5: String?) throws -> BodyStructure.Extensions {
        var ext = BodyStructure.Extensions(md5: md5)
        guard skip(Self.SP), peek != 0x29 else { return ext }
        ext.disposition = try bodyFldDsp()
        guard skip(Self.SP), peek != 0x29 else { return ext }
        ext.language = try bodyFldLang()
        guard skip(Self.SP), peek != 0x29 else { return ext }
        ext.location = try nstringText()
        while skip(Self.SP), peek != 0x29 {
            let start = index
            try bodyExtension()
            ext.more.append(printablePreview(bytes[start..<index]))
        }
        return ext
    }

    // body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
    mutating func bodyFldParam() throws -> [String: String] {
        if skipNil() { return [:] }
        var out: [String: String] = [:]
        let items = try parenthesizedList { c in try c.stringText() }
        var i = 0
        while i + 1 < items.count {
            out[items[i].lowercased()] = items[i + 1]
            i += 2
        }
        guard items.count % 2 == 0 else { throw fail("odd number of strings in body-fld-param") }
        return out
    }

    // body-fld-dsp = "(" string SP body-fld-param ")" / nil
    mutating func bodyFldDsp() throws -> BodyStructure.Disposition? {
        if skipNil() { return nil }
        try expect(0x28)
        return try nested { c in
            let kind = try c.stringText()
            try c.sp()
            let params = try c.bodyFldParam()
            try c.expect(0x29)
            return BodyStructure.Disposition(kind: kind, parameters: params)
        }
    }

    // body-fld-lang = nstring / "(" string *(SP string) ")"
    mutating func bodyFldLang() throws -> [String] {
        if peek == 0x28 { return try parenthesizedList { try $0.stringText() } }
        return try nstringText().map { [$0] } ?? []
    }

    // body-extension = nstring / number / number64 / "(" body-extension *(SP body-extension) ")"
    mutating func bodyExtension() throws {
        if peek == 0x28 {
            _ = try parenthesizedList { try $0.bodyExtension() }
        } else if let p = peek, p >= 0x30 && p <= 0x39 {
            _ = try number64()
        } else {
            _ = try nstring()
        }
    }
}
