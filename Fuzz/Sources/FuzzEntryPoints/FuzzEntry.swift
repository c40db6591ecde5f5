/// Every fuzz target's body by target name (`scripts/fuzz NAME`, `Fixtures/fuzz/NAME/`). The
/// libFuzzer executables (`Fuzz<Name>`) and FuzzRegressionTests call the same functions.
public enum FuzzEntry {
    public static let targets: [String: @Sendable ([UInt8]) -> Void] = [
        "SMTPReply": SMTPFuzzing.reply,
        "EHLO": SMTPFuzzing.ehlo,
        "DotStuffer": SMTPFuzzing.dotStuffer,
        "MIME": MIMEFuzzing.parser,
        "Address": MIMEFuzzing.address,
        "HeaderDecoding": MIMEFuzzing.headerDecoding,
        "TransferCodec": MIMEFuzzing.transferCodec,
        "SASL": AuthFuzzing.sasl,
        "IMAP": IMAPFuzzing.response,
    ]
}
