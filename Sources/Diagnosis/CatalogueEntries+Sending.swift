extension CatalogueEntries {
    /// Sender, relay, limits, recipients and message refusals (diagnostics.md §3B E21–E37).
    static let smtpSending: [CatalogueEntry] = [
        CatalogueEntry(
            "sender.send-as-denied", ref: "E21", "This mailbox may not send as that sender address",
            when: [.text("SendAsDenied")],
            cause: "Microsoft 365 refused the message because the sender (From) address is not the mailbox that logged in ({user}), and that mailbox has no \"Send As\" right for it. An empty sender address does this too.",
            fix: "Set the sender e-mail address to the login mailbox, or ask the admin to grant \"Send As\" for that address or shared mailbox (also for the purchase-order sender address, if it differs)."),
        CatalogueEntry(
            "sender.m365-no-send-as-permission", ref: "E21", "This mailbox may not send as that sender address",
            when: [.enhancedCode(["5.7.60"])],
            cause: "Microsoft 365 refused the sender (From) address: the mailbox that logged in ({user}) has no permission to send as it (5.7.60).",
            fix: "Set the sender e-mail address to the login mailbox, or ask the admin to grant \"Send As\" on that address or shared mailbox (also for the purchase-order sender address, if it differs)."),
        CatalogueEntry(
            "sender.not-owned-by-login", ref: "E22", "The sender address belongs to another account",
            when: [.text("not owned by (the )?(authenticated )?user|Sender address rejected: not owned")],
            cause: "The server only lets {user} send from its own addresses, and the sender address belongs to a different account.",
            fix: "Use the login's own address as the sender (also for purchase orders), or ask the mail host to allow that address as an alias of this login."),
        CatalogueEntry(
            "sender.zoho-relaying-disallowed", ref: "E23", "Zoho refused the sender address",
            when: [.text("Relaying disallowed|Sender is not allowed to relay")],
            cause: "The sender address is not the Zoho account or one of its confirmed aliases (sometimes IMAP/SMTP access is switched off for the account).",
            fix: "Make the sender address the Zoho login or a confirmed alias, and enable IMAP access in Zoho Mail settings."),
        CatalogueEntry(
            "sender.sendgrid-unverified", ref: "E25", "SendGrid does not know this sender address",
            when: [.text("does not match a verified Sender Identity")],
            cause: "The sender address is not verified in SendGrid, and SendGrid only sends from verified senders or domains.",
            fix: "In SendGrid → Settings → Sender Authentication, verify this sender or the whole domain, and use that exact sender address."),
        CatalogueEntry(
            "sender.ses-unverified", ref: "E26", "Amazon SES does not know this address",
            when: [.text("Email address is not verified|identities failed the check")],
            cause: "The sender address or domain is not verified in this SES region. In the SES sandbox, every recipient must be verified too.",
            fix: "Verify the sender in the SES console of the same region; to send to anyone, request production access (leave the sandbox)."),
        CatalogueEntry(
            "sender.mailgun-sandbox", ref: "E28", "Mailgun's sandbox only sends to approved recipients",
            when: [.text("Sandbox subdomains are for test purposes only")],
            cause: "The mail went through Mailgun's sandbox domain, which only delivers to recipients added as authorised.",
            fix: "Add and verify your own domain in Mailgun, or add the recipient under authorised recipients."),
        CatalogueEntry(
            "sender.bad-syntax", ref: "E37", "The sender address is not valid",
            when: [.stage(["MAIL"]), .enhancedCode(["5.5.2", "5.1.7", "5.1.3"])],
            cause: "The server could not read the sender address: it is empty, has a typing error or a stray space, or includes a display name.",
            fix: "Enter a plain, valid address like shop@example.com as the sender e-mail."),
        CatalogueEntry(
            "sender.domain-not-found", "The sender address's domain does not exist",
            when: [.text("Sender address rejected: Domain not found|sender domain (does not exist|not found)")],
            cause: "The server checked the sender address's domain and found no mail records for it.",
            fix: "Check the sender e-mail address for typing errors in the part after the @."),
        CatalogueEntry(
            "sender.rejected", "{host} refused the sender address",
            when: [.stage(["MAIL"]), .replyClass(5)],
            cause: "The server will not accept mail from this sender address with this login.",
            fix: "Use the address of the login ({user}) as the sender, or ask the provider which sender addresses this account may use."),
        CatalogueEntry(
            "relay.workspace-relay-denied", ref: "E18", "Google Workspace's relay refused this computer",
            when: [.text("Mail relay denied|Invalid credentials for relay")],
            cause: "The program uses smtp-relay.gmail.com, Google Workspace's relay, which only accepts registered company addresses or domains, not personal Gmail logins.",
            fix: "Personal Gmail: use smtp.gmail.com port 587 (STARTTLS) or 465 (SSL/TLS). Google Workspace: the admin adds this shop's internet address in Admin console → Apps → Gmail → Routing → SMTP relay service, or allows SMTP AUTH there."),
        CatalogueEntry(
            "relay.denied", ref: "E29", "{host} will not pass mail on (relay denied)",
            when: [.text("Relay access denied|Unable to relay|Relaying denied|relay not permitted|not permitted to relay|relaying (is )?not allowed")],
            cause: "The server does not know who is sending and refuses to pass mail on to other domains: the program did not log in, or used the recipient's mail server or port 25 instead of the provider's sending server.",
            fix: "Turn on \"server requires authentication\" with the mailbox's user name and password, and use the provider's sending server on port 587 (STARTTLS) or 465 (SSL/TLS)."),
        CatalogueEntry(
            "limit.gmail-daily", ref: "E08", "Gmail's daily sending limit is reached",
            when: [.enhancedCode(["5.4.5"]), .text("sending limit")],
            cause: "This Google account has sent as much as Google allows in one day (about 500 messages for personal accounts, 2,000 for Workspace).",
            fix: "Wait 24 hours. For newsletters or many invoices a day, use an e-mail sending service (SendGrid, Amazon SES, Mailgun…)."),
        CatalogueEntry(
            "limit.ses-throttled", ref: "E27", "Amazon SES's sending rate or quota is reached",
            when: [.text("Throttling failure|Maximum sending rate exceeded|Daily message quota exceeded")],
            cause: "The account reached its SES sending rate per second or its daily quota.",
            fix: "Send more slowly and retry later, or request a quota increase in the SES console.", transient: true),
        CatalogueEntry(
            "limit.m365-recipients", ref: "E31", "Microsoft 365's daily sending limit is reached",
            when: [.text("SubmissionQuotaExceededException")],
            cause: "This mailbox exceeded Microsoft 365's sending limits (10,000 recipients a day).",
            fix: "Wait until tomorrow. For bulk mail use an e-mail sending service."),
        CatalogueEntry(
            "limit.m365-concurrency", ref: "E32", "Too many connections to this Microsoft 365 mailbox at once",
            when: [.text("Concurrent connections limit exceeded|sender thread limit exceeded")],
            cause: "More than three programs or tills send through this mailbox at the same moment; Microsoft 365 allows three.",
            fix: "Send one message at a time through one connection (one queue per mailbox).", transient: true),
        CatalogueEntry(
            "limit.too-many-connections", ref: "E33", "Too many connections from this address",
            when: [.text("too many connections|too many concurrent|too many simultaneous|Try again later, closing connection")],
            cause: "The server limits connections per internet address, and this shop's address has too many open (several tills or devices at once, or retries in a loop).",
            fix: "Wait a few minutes. Send through one connection at a time and retry slowly; this refusal is temporary.",
            transient: true),
        CatalogueEntry(
            "limit.daily-quota", "A sending limit is reached",
            when: [.text("daily (sending )?(limit|quota)|sending quota|message limit exceeded|too many messages|rate limit")],
            cause: "The provider limits how much this account may send, and the limit is reached.",
            fix: "Wait for the limit to reset (usually 24 hours), or ask the provider for a higher limit."),
        CatalogueEntry(
            "rcpt.greylisted", ref: "E34", "The recipient's server asks to try again later (greylisting)",
            when: [.text("greylist|graylist")],
            cause: "The receiving server refuses first-time senders for a few minutes to keep spam out. This only happens when mail goes directly to the recipient's server instead of through your provider.",
            fix: "Nothing is wrong: a retry after 5 to 15 minutes succeeds (a queue does it by itself). Better: send through your provider's sending server with a login.",
            transient: true),
        CatalogueEntry(
            "rcpt.try-again-later", ref: "E34", "The recipient's server asks to try again later",
            when: [.stage(["RCPT"]), .code([450, 451]), .enhancedCode(["4.7.1"])],
            cause: "The receiving server refused this recipient for now (\"try again later\"), typically greylisting of first-time senders.",
            fix: "Retry in 5 to 15 minutes; a queue does it by itself.", transient: true),
        CatalogueEntry(
            "policy.blocklisted", ref: "E35", "This shop's internet address is on a spam block list",
            when: [.text("blocked using|spamhaus|listed (at|on|in) |blacklist|blocklist|unusual rate of unsolicited")],
            cause: "The receiving server refuses this internet address because it is on a spam block list; home and shop broadband addresses often are.",
            fix: "Do not send directly to recipients' servers: send through your provider's sending server (port 587 or 465, with a login) or an e-mail sending service."),
        CatalogueEntry(
            "message.too-big", ref: "E36", "The message is too big",
            when: [.text("size exceeds|exceeded .*size limit|message size|too (big|large)|message exceeds|too much mail data")],
            cause: "The message with its attachments (for example a batch of PDF invoices) is larger than the server accepts.",
            fix: "Send fewer or smaller attachments (split the batch), or send a link instead."),
        CatalogueEntry(
            "message.too-big-by-code", ref: "E36", "The message is too big",
            when: [.enhancedCode(["5.3.4", "5.2.3", "4.3.4"])],
            cause: "The message with its attachments is larger than the server accepts.",
            fix: "Send fewer or smaller attachments, or send a link instead."),
        CatalogueEntry(
            "message.exceeds-advertised-size", ref: "E36", "The message is bigger than {host} accepts",
            when: [.observation(.messageExceedsAdvertisedSize)],
            cause: "The server announced a maximum message size (SIZE), and this message with its attachments is bigger, so it was not sent.",
            fix: "Send fewer or smaller attachments (split the batch), or send a link instead."),
        recipientUnknown("rcpt.mailbox-unavailable", by: .enhancedCode(["5.1.1", "5.1.10"])),
        recipientUnknown("rcpt.unknown-user", by: .text("User unknown|no such user|(account|mailbox|address|user)( that you tried to reach)? does not exist|mailbox unavailable|unknown recipient|recipient unknown|invalid recipient")),
        recipientMailboxFull("rcpt.mailbox-full", by: .text("over quota|mailbox (is )?full|(mailbox|user|storage) quota exceeded|insufficient storage|out of storage")),
        recipientMailboxFull("rcpt.mailbox-full-by-code", by: .enhancedCode(["5.2.2", "4.2.2"])),
        CatalogueEntry(
            "policy.sender-unauthenticated", "The recipient's server wants proof the mail really comes from your domain",
            when: [.text("SPF|DKIM|DMARC|sender is unauthenticated")],
            cause: "The receiving server checked the sender's domain (SPF, DKIM, DMARC) and the message failed: it was sent through a server that the sender address's domain does not list.",
            fix: "Send through the provider that hosts the sender address's domain, or have whoever manages the domain add that sending service to its SPF and DKIM records."),
        CatalogueEntry(
            "policy.spam", "The message was refused as spam",
            when: [.text("spam|unsolicited|junk|content rejected|suspicious|phishing|virus")],
            cause: "The receiving server's filter judged the message to be spam or dangerous.",
            fix: "Send through your provider's sending server with a login, avoid link-only or attachment-only messages with no text, and check the sender address's domain has SPF and DKIM set up."),
        CatalogueEntry(
            "policy.rejected", "The message was refused by the server's policy",
            when: [.stage(["MAIL", "RCPT", "DATA"]), .enhancedCode(["5.7.1"])],
            cause: "The server refused on policy grounds (5.7.1): not allowed for this sender, recipient or content.",
            fix: "Read the server's words quoted below; usually: log in, send through your provider's sending server, and use the login's own address as the sender."),
        CatalogueEntry(
            "greeting.refused", "{host} refuses connections from this computer",
            when: [.stage(["greeting"]), .code([554, 550])],
            cause: "The server refused the session at once, before any login: it does not serve this computer's internet address (a block list, or not a submission server).",
            fix: "Use your provider's sending server on port 587 or 465; if that is what you use, send this report to your provider."),
        CatalogueEntry(
            "greeting.busy", "{host} is busy",
            when: [.stage(["greeting"]), .code([421])],
            cause: "The server refused the session for now (it is busy, or limits connections).",
            fix: "Try again in a few minutes.", transient: true),
    ]

    /// The recipient's server has no mailbox of that address, told by the enhanced code (RFC 3463
    /// §3.2 X.1.1 bad destination mailbox, RFC 7505 X.1.10 null MX) or by its words: one
    /// explanation under two ids.
    static func recipientUnknown(_ id: String, by condition: Condition) -> CatalogueEntry {
        CatalogueEntry(
            id, "The recipient's address does not exist",
            when: [.stage(["RCPT", "DATA"]), condition],
            cause: "The recipient's mail server says there is no mailbox with this address.",
            fix: "Check the recipient's address for typing errors; ask the customer for the correct address.")
    }

    /// The recipient's mailbox is full, told by its words or by the enhanced code (RFC 3463 §3.3
    /// X.2.2 mailbox full): one explanation under two ids.
    static func recipientMailboxFull(_ id: String, by condition: Condition) -> CatalogueEntry {
        CatalogueEntry(
            id, "The recipient's mailbox is full",
            when: [condition],
            cause: "The recipient's mailbox has no room for new mail.",
            fix: "Try again later, or reach the recipient another way so they can clear their mailbox.", transient: true)
    }
}
