import Foundation
import NetIO
import Testing
@testable import SMTP

/// The message sources DATA and BDAT stream, and the error classification.
@Suite("Message sources and SMTPError")
struct MessageSourceTests {
    @Test func eightBitIsFoundAnywhere() {
        #expect(![UInt8](repeating: 0x41, count: 1000).requires8BitMIME)
        for position in [0, 7, 8, 9, 500, 999] {
            var bytes = [UInt8](repeating: 0x41, count: 1000)
            bytes[position] = 0xC3
            #expect(bytes.requires8BitMIME, "at \(position)")
            #expect(Data(bytes).requires8BitMIME)
        }
        #expect(![UInt8]().requires8BitMIME)
    }

    @Test func fileIsStreamedInBoundedChunks() async throws {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "smtp-source-\(UUID().uuidString).eml")
        let content = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(content).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let file = MessageFile(url, requires8BitMIME: true)
        #expect(file.byteCount == content.count && url.byteCount == content.count)
        #expect(file.summary == "file \(url.lastPathComponent)" && file.requires8BitMIME && !url.requires8BitMIME)
        var sizes: [Int] = []
        var got: [UInt8] = []
        try await file.write { chunk in
            sizes.append(chunk.count)
            got += chunk
        }
        #expect(got == content)
        #expect(sizes.allSatisfy { $0 <= MessageFile.chunkSize } && sizes.count == 5)
        var viaURL: [UInt8] = []
        try await url.write { viaURL += $0 }
        #expect(viaURL == content)
    }

    @Test func bytesAreWrittenInChunksToo() async throws {
        let bytes = [UInt8](repeating: 0x2E, count: 200_000)
        var sizes: [Int] = []
        try await bytes.write { sizes.append($0.count) }
        #expect(sizes == [65_536, 65_536, 65_536, 3_392])
        var dataSizes: [Int] = []
        try await Data(bytes).write { dataSizes.append($0.count) }
        #expect(dataSizes == sizes)
    }

    @Test func transientAndPermanentFollowTheReplyClass() {
        let busy = SMTPError(.rejected, stage: .mail, reply: SMTPReply(code: 451, lines: ["4.3.0 try later"]))
        #expect(busy.isTransient && !busy.isPermanent && busy.enhancedCode?.description == "4.3.0")
        let denied = SMTPError(.rejected, stage: .rcpt, reply: SMTPReply(code: 554, lines: ["5.7.1 Relay access denied"]))
        #expect(denied.isPermanent && !denied.isTransient)
        #expect(denied.description == "RCPT: the server refused the command: 554 5.7.1 Relay access denied")
        let unknown = SMTPError(.outcomeUnknown, stage: .data)
        #expect(!unknown.isTransient && !unknown.isPermanent)
        var dropped = SMTPError(.network, stage: .rcpt)
        dropped.netIO = NetIOError(kind: .closedByPeer, stage: .rcpt)
        #expect(dropped.isTransient && !dropped.isPermanent)
        #expect(SMTPError(.invalidArgument, stage: .mail).isPermanent)
        var mixed = SMTPError(.allRecipientsRejected, stage: .rcpt)
        mixed.recipients = [RecipientResult(address: "a", accepted: false, code: 450, text: "busy"),
                            RecipientResult(address: "b", accepted: false, code: 550, text: "unknown")]
        #expect(!mixed.isTransient && mixed.isPermanent)
        mixed.recipients.removeLast()
        #expect(mixed.isTransient && !mixed.isPermanent)
    }

    @Test func sessionFailuresAreToldApartFromMessageFailures() {
        #expect(SMTPError(.network, stage: .connect).isSessionFailure)
        #expect(SMTPError(.authenticationFailed, stage: .auth).isSessionFailure)
        #expect(SMTPError(.rejected, stage: .mail, reply: SMTPReply(code: 451, lines: ["4.7.1 rate limited"])).isSessionFailure)
        #expect(!SMTPError(.rejected, stage: .data, reply: SMTPReply(code: 554, lines: ["5.7.1 spam"])).isSessionFailure)
        #expect(!SMTPError(.allRecipientsRejected, stage: .rcpt).isSessionFailure)
        #expect(!SMTPError(.outcomeUnknown, stage: .data).isSessionFailure)
        #expect(!SMTPError(.messageTooLarge(limit: 10), stage: .mail).isSessionFailure)
    }
}
