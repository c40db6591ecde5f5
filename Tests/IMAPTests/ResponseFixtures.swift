/// Responses in the shapes real servers send (Gmail, Exchange/Office 365, Dovecot, Cyrus,
/// Courier), written down from their published transcripts and bug reports.
enum ResponseFixtures {
    static let dovecotGreeting = crlf(
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.")

    static let exchangeGreeting = crlf(
        "* OK The Microsoft Exchange IMAP4 service is ready. [TQBXADIAUABSADAAMgBDAEEAMAAwADEANwAuAG4AYQBtAHAAcgBkADAAMgAuAHAAcgBvAGQALgBvAHUAdABsAG8AbwBrAC4AYwBvAG0A]")

    static let gmailCapability = crlf(
        "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS LITERAL- SPECIAL-USE APPENDLIMIT=35651584",
        "A1 OK Thats all she wrote! f12mb23456")

    static let dovecotSelect = crlf(
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.",
        "* 3 EXISTS",
        "* 0 RECENT",
        "* OK [UNSEEN 2] First unseen.",
        "* OK [UIDVALIDITY 1732612345] UIDs valid",
        "* OK [UIDNEXT 4] Predicted next UID",
        "* OK [HIGHESTMODSEQ 7] Highest",
        "A2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).")

    static let gmailList = crlf(
        "* LIST (\\HasNoChildren) \"/\" \"INBOX\"",
        "* LIST (\\HasChildren \\Noselect) \"/\" \"[Gmail]\"",
        "* LIST (\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"",
        "* LIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"",
        "* LIST (\\HasNoChildren \\Trash) \"/\" \"[Gmail]/Trash\"",
        "* LIST (\\HasNoChildren) \"/\" \"Entw&APw-rfe\"",
        "* LIST (\\HasNoChildren) \"/\" \"&ZeVnLIqe-\"",
        "A3 OK Success")

    static let courierList = crlf(
        "* LIST (\\HasNoChildren) \".\" \"INBOX.Sent\"",
        "* LIST (\\Marked \\HasChildren) \".\" \"INBOX\"",
        "* LIST (\\Noselect) NIL \"\"",
        "* LIST () \"/\" ~peter/mail]",
        "A3 OK LIST completed")

    static let cyrusStatus = crlf(
        "* STATUS INBOX (MESSAGES 231 RECENT 0 UIDNEXT 44292 UIDVALIDITY 1 UNSEEN 3)",
        "* STATUS {8}",
        "Archiv 1 (MESSAGES 2)",
        "A4 OK Completed")

    static let searches = crlf(
        "* SEARCH 2 84 882",
        "* SEARCH",
        "* ESEARCH (TAG \"A5\") UID MIN 2 MAX 47 COUNT 12 ALL 2:4,9,40:47",
        "* VANISHED (EARLIER) 41,43:116,118",
        "* 7 EXPUNGE",
        "A5 OK SEARCH completed")

    static let gmailFetch = crlf(
        "* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334865 X-GM-LABELS (\\Important \"Shop orders\") UID 4827 FLAGS (\\Seen $Forwarded) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 1315 42 NIL NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 1802 34 NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"000000000000a1b2\") NIL NIL))",
        "A6 OK Success")

    static let dovecotEnvelope = crlf(
        "* 2 FETCH (UID 2 ENVELOPE (\"Tue, 01 Dec 2026 08:00:00 +0000\" {20}",
        "Invoice \"1042\" (PDF) ((\"Shop\" NIL \"shop\" \"example.test\")) ((\"Shop\" NIL \"shop\" \"example.test\")) NIL ((NIL NIL \"alice\" \"example.test\")(\"Bob\" NIL \"bob\" \"example.test\")) NIL NIL NIL \"<1042@example.test>\") BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 120 4 NIL NIL NIL NIL) (\"application\" \"pdf\" (\"name\" \"Invoice 1042.pdf\") NIL NIL \"base64\" 48213 NIL (\"attachment\" (\"filename\" \"Invoice 1042.pdf\")) NIL NIL) \"mixed\" (\"boundary\" \"b1\") NIL NIL NIL))",
        "A7 OK Fetch completed.")

    /// Exchange/Office 365 describing a forwarded message/rfc822 part without its envelope,
    /// body and line count, and then a well-formed message.
    static let exchangeBrokenBodyStructure = crlf(
        "* 1 FETCH (UID 11 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 1 NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 2048 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"x\") NIL NIL NIL) FLAGS (\\Seen))",
        "* 2 FETCH (UID 12 BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 1 NIL NIL NIL NIL) FLAGS ())",
        "A8 OK FETCH completed.")

    static let nestedMessage = crlf(
        "* 3 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 400 (NIL \"fwd\" NIL NIL NIL NIL NIL NIL NIL NIL) ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 5 1)(\"image\" \"png\" (\"name\" \"a.png\") \"<cid1>\" NIL \"base64\" 100) \"related\") 12) \"mixed\"))",
        "A9 OK done")
}
