import CSSLShim
import Foundation

/// The hashes a test server needs to check what libsasl2 sends (OpenSSL, not hand-written).
enum TestCrypto {
    enum Digest: String {
        case md5 = "MD5", sha1 = "SHA1", sha256 = "SHA256"

        var evp: OpaquePointer? {
            switch self {
            case .md5: EVP_md5()
            case .sha1: EVP_sha1()
            case .sha256: EVP_sha256()
            }
        }
    }

    static func hash(_ digest: Digest, _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_Digest(data, data.count, &out, &length, digest.evp, nil)
        return Array(out.prefix(Int(length)))
    }

    static func hmac(_ digest: Digest, key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length = 0
        _ = EVP_Q_mac(nil, "HMAC", nil, digest.rawValue, nil, key, key.count, data, data.count, &out, out.count, &length)
        return Array(out.prefix(length))
    }

    static func pbkdf2(_ digest: Digest, password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        _ = password.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) {
                PKCS5_PBKDF2_HMAC($0, Int32(p.count), salt, Int32(salt.count), Int32(iterations), digest.evp, Int32(length), &out)
            }
        }
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
