extension ParseCursor {
    // envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
    //            env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
    mutating func envelope() throws -> Envelope {
        try expect(0x28)
        return try nested { c in
            let date = try c.nstringText(); try c.sp()
            let subject = try c.nstringText(); try c.sp()
            let from = try c.addressList(); try c.sp()
            let sender = try c.addressList(); try c.sp()
            let replyTo = try c.addressList(); try c.sp()
            let to = try c.addressList(); try c.sp()
            let cc = try c.addressList(); try c.sp()
            let bcc = try c.addressList(); try c.sp()
            let inReplyTo = try c.nstringText(); try c.sp()
            let messageID = try c.nstringText()
            try c.expect(0x29)
            return Envelope(date: date, subject: subject, from: from, sender: sender, replyTo: replyTo, to: to,
                            cc: cc, bcc: bcc, inReplyTo: inReplyTo, messageID: messageID)
        }
    }

    // env-from = "(" 1*address ")" / nil   (and the same for the other address fields)
    mutating func addressList() throws -> [EnvelopeAddress] {
        if skipNil() { return [] }
        return try parenthesizedList { try $0.address() }
    }

    // address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
    mutating func address() throws -> EnvelopeAddress {
        try expect(0x28)
        let name = try nstringText(); try sp()
        let adl = try nstringText(); try sp()
        let mailbox = try nstringText(); try sp()
        let host = try nstringText()
        try expect(0x29)
        return EnvelopeAddress(name: name, adl: adl, mailbox: mailbox, host: host)
    }
}
