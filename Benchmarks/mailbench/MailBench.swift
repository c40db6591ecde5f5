import ArgumentParser

/// `mailbench`: the engine's side of the benchmarks in BENCHMARKS.md. Each subcommand does one
/// case's work in one process (so `/usr/bin/time -v` measures it like the peers) and prints a
/// one-line JSON summary; a failure is a non-zero exit. Run by `Benchmarks/bench.py`.
@main
struct MailBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailbench",
        abstract: "MailEngine's benchmark cases (called by scripts/bench).",
        subcommands: [SMTPBench.self, IMAPFetchBench.self, MIMEBuildBench.self, MIMEParseBench.self, CodecBench.self]
    )
}
