/// What the transcript shows for one outgoing line: the text itself, or a redaction or summary.
///
/// Secrets never reach a sink: the protocol layer builds the redacted form and only that form is
/// given to the transcript, e.g. `AUTH PLAIN <redacted: credentials of shop@example.com>`.
public struct TranscriptText: Sendable, Hashable, CustomStringConvertible {
    public let rendered: String

    private init(rendered: String) { self.rendered = rendered }

    /// The line as sent (no secret in it).
    public static func line(_ text: String) -> TranscriptText { TranscriptText(rendered: text) }

    /// A command whose argument is a secret: `AUTH PLAIN <redacted: credentials of shop@example.com>`.
    public static func redacted(_ visible: String, secret label: String) -> TranscriptText {
        TranscriptText(rendered: visible.isEmpty ? "<redacted: \(label)>" : "\(visible) <redacted: \(label)>")
    }

    /// A summary in place of bulk data: `<message: 48213 bytes, mixed(...)>`.
    public static func summary(_ text: String) -> TranscriptText { TranscriptText(rendered: "<\(text)>") }

    public var description: String { rendered }
}
