/// A response code: the bracketed part of a status response (RFC 9051 §7.1), e.g.
/// `* OK [UIDVALIDITY 3857529045] UIDs valid`. Codes this client does not know are kept as text.
public enum ResponseCode: Sendable, Hashable {
    /// `[ALERT]`: the text must be shown to the user (RFC 9051 §7.1).
    case alert
    /// `[CAPABILITY …]`, sent in a greeting or after login.
    case capability([Capability])
    /// `[PERMANENTFLAGS (…)]`: the flags the client can change permanently.
    case permanentFlags([Flag])
    /// `[UIDVALIDITY n]` of the selected mailbox (RFC 9051 §2.3.1.1).
    case uidValidity(UInt32)
    /// `[UIDNEXT n]`: the next UID the mailbox will assign.
    case uidNext(UInt32)
    /// `[UNSEEN n]`: the first unseen message (RFC 3501).
    case unseen(UInt32)
    /// `[HIGHESTMODSEQ n]` (RFC 7162 §3.1.2.1).
    case highestModSeq(UInt64)
    /// `[READ-ONLY]`: the mailbox was opened for reading only.
    case readOnly
    /// `[READ-WRITE]`
    case readWrite
    /// `[TRYCREATE]`: the target mailbox does not exist; create it and retry.
    case tryCreate
    /// `[APPENDUID uidvalidity uid-set]` (RFC 4315 §3).
    case appendUID(uidValidity: UInt32, uids: SequenceSet)
    /// `[COPYUID uidvalidity source-set target-set]` (RFC 4315 §3).
    case copyUID(uidValidity: UInt32, source: SequenceSet, destination: SequenceSet)
    /// `[BADCHARSET (…)]`: the SEARCH charset is not supported; the ones that are (RFC 9051 §7.1).
    case badCharset([String])
    /// `[AUTHENTICATIONFAILED]`, `[AUTHORIZATIONFAILED]`, `[UNAVAILABLE]`, … (RFC 5530) and any
    /// other code: its name and the rest of the bracket as text.
    case other(name: String, text: String?)

    /// The code's name, upper case (`UIDVALIDITY`, `AUTHENTICATIONFAILED`).
    public var name: String {
        switch self {
        case .alert: "ALERT"
        case .capability: "CAPABILITY"
        case .permanentFlags: "PERMANENTFLAGS"
        case .uidValidity: "UIDVALIDITY"
        case .uidNext: "UIDNEXT"
        case .unseen: "UNSEEN"
        case .highestModSeq: "HIGHESTMODSEQ"
        case .readOnly: "READ-ONLY"
        case .readWrite: "READ-WRITE"
        case .tryCreate: "TRYCREATE"
        case .appendUID: "APPENDUID"
        case .copyUID: "COPYUID"
        case .badCharset: "BADCHARSET"
        case .other(let name, _): name.uppercased()
        }
    }
}
