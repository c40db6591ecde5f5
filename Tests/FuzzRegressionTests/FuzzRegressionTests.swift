import Foundation
import TestSupport
import Testing

/// Replays every committed fuzz input (Fixtures/fuzz/<Target>/seeds and …/crashes) through the
/// same bodies the libFuzzer targets run (EntryPoints links to Fuzz/Sources/FuzzEntryPoints). A
/// body traps on a broken invariant, so a regression fails the suite loudly.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz")

    static func inputs(_ target: String) -> [URL] {
        ["seeds", "crashes"].flatMap { kind -> [URL] in
            let dir = root.appendingPathComponent(target).appendingPathComponent(kind)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.sorted().filter { !$0.hasPrefix(".") }.map { dir.appendingPathComponent($0) }
        }
    }

    /// The replay is seconds of pure CPU: it runs on a thread of its own, so the two threads of
    /// Swift's cooperative pool stay free for the suites that wait on real servers with deadlines.
    @Test(arguments: FuzzEntry.targets.keys.sorted())
    func replaysSeedsAndCrashes(target: String) async throws {
        let body = try #require(FuzzEntry.targets[target])
        let files = Self.inputs(target)
        #expect(!files.isEmpty, "no seeds for \(target) in Fixtures/fuzz/\(target)/seeds")
        try await onOwnThread {
            for file in files {
                let bytes = try [UInt8](Data(contentsOf: file))
                body(bytes)   // traps (precondition) on a broken invariant
            }
        }
    }

    @Test func everyFixtureDirectoryHasATarget() throws {
        let dirs = try FileManager.default.contentsOfDirectory(atPath: Self.root.path).filter { !$0.hasPrefix(".") }
        for d in dirs { #expect(FuzzEntry.targets[d] != nil, "Fixtures/fuzz/\(d) has no fuzz body") }
    }
}
