/// Writes header fields (RFC 5322 §2.2) folded at 78 characters (§2.1.1 SHOULD), never over
/// 998 (MUST), by replacing a space between tokens with CRLF SP (§2.2.3 folding).
enum HeaderFolding {
    /// `Name: t0 t1 …` CRLF, folding before a token that would pass 78 characters.
    /// Throws `.lineTooLong` when one token cannot fit in a 998-character line.
    static func fold(_ name: String, _ tokens: [String]) throws(MIMEError) -> String {
        var out = name + ":"
        var lineLength = out.utf8.count
        var tokensOnLine = 0
        for token in tokens {
            let width = token.utf8.count
            if tokensOnLine > 0, lineLength + 1 + width > MIMELimits.preferredLineLength {
                out += "\r\n"
                lineLength = 0
                tokensOnLine = 0
            }
            out += " " + token
            lineLength += 1 + width
            tokensOnLine += 1
            if lineLength > MIMELimits.maximumLineLength {
                throw MIMEError(.lineTooLong, field: name, evidence: String(token.prefix(60)))
            }
        }
        return out + "\r\n"
    }

    /// An unstructured field (RFC 5322 §3.2.5, `Subject`, custom headers): ASCII text folded at
    /// its spaces; text that is not ASCII, looks like an encoded word, or has a word too long to
    /// fold becomes RFC 2047 encoded words.
    static func unstructured(_ name: String, _ text: String) throws(MIMEError) -> String {
        try HeaderValidation.checkNoControls(text, field: name)
        let ascii = text.utf8.allSatisfy { $0 < 0x80 && ($0 >= 0x20 || $0 == 0x09) } && !text.contains("=?")
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let foldable = ascii && words.allSatisfy { $0.utf8.count < MIMELimits.maximumLineLength - name.utf8.count - 2 }
        if foldable, !text.hasPrefix(" "), !text.hasSuffix(" ") {
            return try fold(name, words)
        }
        let first = MIMELimits.preferredLineLength - name.utf8.count - 2
        return try fold(name, EncodedWord.encode(text, firstLimit: min(first, MIMELimits.maximumEncodedWordLength)))
    }

    /// RFC 5322 §3.2.5 phrase for a display name: atoms as they are, other ASCII as a quoted
    /// string, non-ASCII as encoded words (RFC 2047 §5 (3)).
    static func displayNameTokens(_ name: String, firstLimit: Int) -> [String] {
        let isAtomText = name.utf8.allSatisfy { (Address.isAtext($0) && $0 < 0x80) || $0 == 0x20 }
        if isAtomText, !name.hasPrefix(" "), !name.hasSuffix(" "), !name.contains("  "), !name.contains("=?") {
            return name.split(separator: " ").map(String.init)
        }
        if name.utf8.allSatisfy({ $0 < 0x80 && $0 >= 0x20 }), !name.contains("=?"), name.utf8.count <= 900 {
            var q = "\""
            for c in name.unicodeScalars {
                if c == "\"" || c == "\\" { q += "\\" }
                q.unicodeScalars.append(c)
            }
            return [q + "\""]
        }
        return EncodedWord.encode(name, firstLimit: firstLimit)
    }

    /// An address field (From, To, Cc, Reply-To, Sender; RFC 5322 §3.6.2–3) folded between
    /// words and addresses. Domains are written in ASCII (`xn--`) form; a non-ASCII local part
    /// needs `allowSMTPUTF8` (RFC 6531) or throws `.requiresSMTPUTF8` naming the field.
    static func addressList(_ name: String, _ addresses: [Address], allowSMTPUTF8: Bool) throws(MIMEError) -> String {
        var tokens: [String] = []
        for (i, address) in addresses.enumerated() {
            let spec = try headerAddrSpec(address, field: name, allowSMTPUTF8: allowSMTPUTF8)
            let comma = i + 1 < addresses.count ? "," : ""
            if let display = address.displayName, !display.isEmpty {
                try HeaderValidation.checkNoControls(display, field: name + " display name")
                let first = i == 0 ? MIMELimits.preferredLineLength - name.utf8.count - 2 : MIMELimits.maximumEncodedWordLength
                tokens += displayNameTokens(display, firstLimit: min(first, MIMELimits.maximumEncodedWordLength))
                tokens.append("<" + spec + ">" + comma)
            } else {
                tokens.append(spec + comma)
            }
        }
        return try fold(name, tokens)
    }

    static func headerAddrSpec(_ address: Address, field: String, allowSMTPUTF8: Bool) throws(MIMEError) -> String {
        try Address.validate(addrSpec: address.addrSpec, field: field)
        if address.requiresSMTPUTF8 {
            guard allowSMTPUTF8 else { throw MIMEError(.requiresSMTPUTF8, field: field, evidence: address.addrSpec) }
            return address.addrSpec
        }
        guard let ascii = address.asciiAddrSpec else { throw MIMEError(.invalidAddress, field: field, evidence: address.addrSpec) }
        return ascii
    }
}
