/// The built-in catalogue, one array per family (diagnostics.md §3A–3D). Each entry cites the
/// diagnostics.md entry (`E01`…) its real-world reply comes from.
enum CatalogueEntries {
    /// The login stages of SMTP (RFC 4954) and IMAP (RFC 9051 §6.2.2, §6.2.3).
    static let login: Condition = .stage(["AUTH", "LOGIN", "AUTHENTICATE"])
    static let portsSMTP = "Sending uses port 465 with SSL/TLS or port 587 with STARTTLS; reading (IMAP) uses 993 with SSL/TLS or 143 with STARTTLS."
}
