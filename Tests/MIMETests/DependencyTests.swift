import Testing
import Foundation

/// MIME needs only FoundationEssentials (the SMTP client that links it must stay small: the
/// full Foundation with ICU costs about 10 MB more resident memory). Every source file imports
/// Foundation only as the fallback where FoundationEssentials does not exist.
@Suite struct DependencyTests {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/MIME")

    @Test func foundationOnlyWhereFoundationEssentialsIsMissing() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path).filter { $0.hasSuffix(".swift") }
        #expect(names.count > 20)
        for name in names.sorted() {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(name), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            var condition: [String] = []   // the #if / #else stack
            for line in lines {
                if line.hasPrefix("#if ") { condition.append(line) }
                else if line == "#else", let top = condition.popLast() { condition.append("#else of " + top) }
                else if line == "#endif" { _ = condition.popLast() }
                let imported = line.split(separator: " ").drop { ["public", "internal", "package", "@preconcurrency"].contains($0) }
                guard imported.first == "import", imported.count >= 2 else { continue }
                let module = String(imported[imported.index(after: imported.startIndex)])
                #expect(!["FoundationNetworking", "FoundationXML", "FoundationInternationalization"].contains(module), "\(name): \(line)")
                if module == "Foundation" {
                    #expect(condition.last == "#else of #if canImport(FoundationEssentials)", "\(name) imports Foundation unconditionally")
                }
            }
        }
    }
}
