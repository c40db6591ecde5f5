internal import CSSLShim
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// Reads the fields a TLS report shows from an OpenSSL `X509` (RFC 5280 §4.1).
enum X509Reader {
    static func info(_ cert: OpaquePointer) -> CertificateInfo {
        CertificateInfo(subject: name(X509_get_subject_name(cert)), issuer: name(X509_get_issuer_name(cert)),
                        subjectAltNames: altNames(cert),
                        notBefore: date(X509_get0_notBefore(cert)), notAfter: date(X509_get0_notAfter(cert)),
                        sha256: fingerprint(cert))
    }

    static func name(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        X509_NAME_print_ex(bio, name, 0, shim_XN_FLAG_RFC2253() & ~UInt(ASN1_STRFLGS_ESC_MSB))
        return readAll(bio)
    }

    static func altNames(_ cert: OpaquePointer) -> [String] {
        guard let raw = X509_get_ext_d2i(cert, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { shim_GENERAL_NAMES_free(names) }
        var out: [String] = []
        for i in 0..<shim_sk_GENERAL_NAME_num(names) {
            guard let gn = shim_sk_GENERAL_NAME_value(names, i) else { continue }
            switch shim_GENERAL_NAME_type(gn) {
            case GEN_DNS:
                if let s = shim_GENERAL_NAME_dNSName(gn) { out.append(string(s)) }
            case GEN_IPADD:
                if let s = shim_GENERAL_NAME_iPAddress(gn) { out.append(ipString(s)) }
            default: break
            }
        }
        return out
    }

    static func fingerprint(_ cert: OpaquePointer) -> String {
        var md = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var len: UInt32 = 0
        X509_digest(cert, EVP_sha256(), &md, &len)
        return md[0..<Int(len)].map { String($0, radix: 16).leftPadded(2) }.joined()
    }

    static func date(_ t: UnsafePointer<ASN1_TIME>?) -> Date {
        guard let t else { return Date(timeIntervalSince1970: 0) }
        var tm = tm()
        guard ASN1_TIME_to_tm(t, &tm) == 1 else { return Date(timeIntervalSince1970: 0) }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&tm)))
    }

    private static func string(_ s: UnsafePointer<ASN1_STRING>) -> String {
        let len = Int(ASN1_STRING_length(s))
        guard let p = ASN1_STRING_get0_data(s), len > 0 else { return "" }
        return String(decoding: UnsafeBufferPointer(start: p, count: len), as: UTF8.self)
    }

    private static func ipString(_ s: UnsafePointer<ASN1_STRING>) -> String {
        let len = Int(ASN1_STRING_length(s))
        guard let p = ASN1_STRING_get0_data(s) else { return "" }
        var buf = [CChar](repeating: 0, count: 64)
        if len == 4 { inet_ntop(AF_INET, p, &buf, 64) } else if len == 16 { inet_ntop(AF_INET6, p, &buf, 64) }
        return String(cBuffer: buf)
    }

    private static func readAll(_ bio: OpaquePointer) -> String {
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 1024)
        while true {
            let n = BIO_read(bio, &buf, Int32(buf.count))
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<Int(n)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
