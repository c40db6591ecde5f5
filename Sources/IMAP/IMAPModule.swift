// IMAP: fetch client (RFC 9051, 3501). Filled by the IMAP issue.
