/// A settings file or URL that cannot be used: the line (1-based) and what is wrong, in words.
///
/// The message never repeats a secret: a value is only quoted for keys that cannot hold one.
public struct SettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The line of the INI file, or `nil` for a URL or a whole-file problem.
    public var line: Int?
    /// The file or URL it came from, if known.
    public var source: String?
    public var message: String

    public init(line: Int?, source: String? = nil, _ message: String) {
        self.line = line
        self.source = source
        self.message = message
    }

    /// `settings.ini line 4: unknown key "hots" in [smtp] (did you mean "host"?)`.
    public var description: String {
        var prefix = source ?? "settings"
        if let line { prefix += " line \(line)" }
        return "\(prefix): \(message)"
    }
}

/// Something that works but is probably a mistake (465 with STARTTLS, a world-readable password file).
public struct SettingsWarning: Sendable, Hashable, CustomStringConvertible {
    public var line: Int?
    public var message: String

    public init(line: Int?, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}
