/// One argument of a command (RFC 9051 §9 `command`), encoded by `CommandEncoder` in the form
/// its content needs.
public enum CommandArgument: Sendable, Hashable {
    /// A keyword or atom sent as it is (`UID`, `FETCH`, `\Seen`): only ATOM-CHARs allowed.
    case atom(String)
    /// Preformatted protocol text: a sequence set, a parenthesized list of atoms (no CR, LF, NUL).
    case raw(String)
    /// `astring`: an atom when possible, else a quoted string, else a literal (RFC 9051 §4.3).
    case astring([UInt8])
    /// `string`: a quoted string when possible, else a literal.
    case string([UInt8])
    /// A mailbox name: modified UTF-7 (or UTF-8 after UTF8=ACCEPT), then as an astring.
    case mailbox(MailboxName)
    /// Always a literal (APPEND's message), `literal8` when `binary`.
    case literal([UInt8], binary: Bool = false)
    /// The header of a literal whose `size` bytes the caller sends itself, streamed (APPEND of a
    /// big message); the command's last argument.
    case literalHeader(size: Int, binary: Bool = false)
    /// An astring the transcript must not show (a password): `<redacted: label>` instead.
    case secret([UInt8], label: String)

    public static func astring(_ s: String) -> CommandArgument { .astring(Array(s.utf8)) }
    public static func string(_ s: String) -> CommandArgument { .string(Array(s.utf8)) }
}
