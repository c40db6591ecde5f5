public import NetIO

extension ServerSettings {
    /// A transcript writing to `transcriptPath` when set (the `LogSMTP=path` habit, DESIGN.md §4),
    /// plus whatever other sinks are given. Throws `NetIOError` when the file cannot be opened.
    public func makeTranscript(extraSinks: [any TranscriptSink] = []) throws -> Transcript {
        var sinks = extraSinks
        if let transcriptPath { sinks.append(try FileTranscriptSink(path: transcriptPath)) }
        return Transcript(sinks: sinks)
    }
}
