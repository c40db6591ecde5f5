import Foundation

/// The server side of SCRAM (RFC 5802 §3, §5), written in the test to check byte by byte what
/// libsasl2 sends and to answer with a correct, wrong or missing server signature.
struct SCRAMTestServer {
    let digest: TestCrypto.Digest
    let user: String
    let password: String
    let salt: [UInt8] = Array("mailengine-salt!".utf8)
    let iterations = 4096
    let serverNonce = "3rfcNHYJY1ZVvWVs7j"

    private var clientFirstBare = ""
    private var serverFirst = ""
    private(set) var gs2Header = ""

    init(digest: TestCrypto.Digest, user: String, password: String) {
        self.digest = digest
        self.user = user
        self.password = password
    }

    struct Refusal: Error, CustomStringConvertible { let description: String }

    /// Takes `client-first-message`, returns `server-first-message`.
    mutating func first(_ message: [UInt8]) throws -> [UInt8] {
        let text = String(decoding: message, as: UTF8.self)
        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        let parts = text.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "n" else { throw Refusal(description: "bad gs2 header in \(text)") }
        gs2Header = "\(parts[0]),\(parts[1]),"
        clientFirstBare = String(parts[2])
        let fields = attributes(clientFirstBare)
        guard fields["n"] == user, let nonce = fields["r"], !nonce.isEmpty else {
            throw Refusal(description: "bad client-first-message-bare \(clientFirstBare)")
        }
        serverFirst = "r=\(nonce)\(serverNonce),s=\(Data(salt).base64EncodedString()),i=\(iterations)"
        return Array(serverFirst.utf8)
    }

    /// Takes `client-final-message`; returns `server-final-message` (`v=` signature or `e=`).
    func final(_ message: [UInt8], corruptSignature: Bool = false) throws -> [UInt8] {
        let text = String(decoding: message, as: UTF8.self)
        guard let proofRange = text.range(of: ",p=") else { throw Refusal(description: "no proof in \(text)") }
        let withoutProof = String(text[..<proofRange.lowerBound])
        let fields = attributes(text)
        guard fields["c"] == Data(gs2Header.utf8).base64EncodedString() else {
            throw Refusal(description: "channel binding c= does not match the gs2 header")
        }
        guard let nonce = fields["r"], nonce.hasSuffix(serverNonce) else { throw Refusal(description: "nonce mismatch") }
        guard let proof = fields["p"].flatMap({ Data(base64Encoded: $0) }).map(Array.init) else {
            throw Refusal(description: "proof is not base64")
        }
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let salted = TestCrypto.pbkdf2(digest, password: Array(password.utf8), salt: salt, iterations: iterations,
                                       length: TestCrypto.hash(digest, []).count)
        let clientKey = TestCrypto.hmac(digest, key: salted, Array("Client Key".utf8))
        let storedKey = TestCrypto.hash(digest, clientKey)
        let clientSignature = TestCrypto.hmac(digest, key: storedKey, authMessage)
        let recoveredKey = zip(proof, clientSignature).map { $0 ^ $1 }
        guard proof.count == clientSignature.count, TestCrypto.hash(digest, recoveredKey) == storedKey else {
            return Array("e=invalid-proof".utf8)
        }
        let serverKey = TestCrypto.hmac(digest, key: salted, Array("Server Key".utf8))
        var signature = TestCrypto.hmac(digest, key: serverKey, authMessage)
        if corruptSignature { signature[0] ^= 0xFF }
        return Array("v=\(Data(signature).base64EncodedString())".utf8)
    }

    private func attributes(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in text.split(separator: ",") {
            guard let eq = part.firstIndex(of: "=") else { continue }
            out[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        return out
    }
}
