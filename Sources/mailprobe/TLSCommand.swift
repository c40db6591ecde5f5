public import ArgumentParser
public import Diagnosis
import Foundation
import NetIO

/// `mailprobe tls`: connect, optionally STARTTLS, and show the TLS report and verdicts.
struct TLSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Show a server's TLS version, cipher and certificate, and whether it is trusted.",
        discussion: "Exits 0 only when the chain is trusted and the host name matches (or the pin matches).")

    @Option(help: "Server host name or IP address.") var host: String
    @Option(help: "Server port (465/993 implicit TLS; 587/25/143 with --starttls).") var port: UInt16
    @Option(help: "Upgrade a plain connection first: smtp or imap.") var starttls: STARTTLSProtocol?
    @Option(name: .customLong("ca-file"), help: "Trust only the CA certificates in this PEM file.") var caFile: String?
    @Option(name: .customLong("pin-sha256"), help: "Trust exactly the certificate with this SHA-256 fingerprint.")
    var pinSHA256: [String] = []
    @Option(help: "Seconds allowed for each step.") var timeout: Double = 15
    @Option(help: "Append the session transcript to this file.") var log: String?
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func validate() throws {
        guard timeout > 0 && timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
        if caFile != nil && !pinSHA256.isEmpty { throw ValidationError("use either --ca-file or --pin-sha256, not both") }
        for pin in pinSHA256 where pin.filter(\.isHexDigit).count != 64 {
            throw ValidationError("--pin-sha256 takes 64 hex digits (colons allowed), got \(pin)")
        }
    }

    func run() async throws {
        let transcript = Transcript(sinks: try log.map { [try FileTranscriptSink(path: $0)] } ?? [])
        var options = TLSOptions()
        if let caFile { options.trust = .caFile(caFile) }
        if !pinSHA256.isEmpty { options.trust = .pinnedSHA256(pinSHA256) }
        let result = await TLSProbe.run(endpoint: Endpoint(host: host, port: port), starttls: starttls,
                                        tls: options, timeout: .milliseconds(Int64(timeout * 1000)),
                                        transcript: transcript)
        if json {
            print(TLSReportPrinter.json(result))
        } else {
            print(TLSReportPrinter.text(result, host: host, port: port), terminator: "")
        }
        if !result.ok { throw ExitCode(ProbeExit.code(for: result.stage)) }
    }
}

extension STARTTLSProtocol: ExpressibleByArgument {}
