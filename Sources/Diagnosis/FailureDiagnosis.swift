/// A failure explained: what is wrong and how to fix it, in words a shop owner understands, with
/// the server's own words quoted as evidence (the `diagnosis` object of `mailprobe --json`).
public struct FailureDiagnosis: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The catalogue entry (`smtp.auth.gmail-app-password-required`) or the fallback
    /// (`fallback.login.permanent`).
    public var id: String
    /// The diagnostics.md entry it comes from (`E02`).
    public var reference: String?
    public var title: String
    public var cause: String
    public var fix: String
    /// The server's reply or the transport's words, quoted.
    public var evidence: String
    public var stage: String
    /// Trying again later may work without changing anything.
    public var isTransient: Bool
    /// `false` when no catalogue entry matched and the explanation comes from the reply class and stage.
    public var fromCatalogue: Bool

    /// `Gmail needs an app password. Cause: … Fix: … Server said: "…"`.
    public var description: String {
        "\(title). \(cause) Fix: \(fix) Evidence (\(stage)): \"\(evidence)\""
    }

    /// The `!!!` line of the transcript (docs/TRANSCRIPT.md).
    public var transcriptLine: String { "\(stage): \(title). Fix: \(fix)" }
}
