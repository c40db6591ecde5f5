internal import CSSLShim

/// An `SSL_CTX` configured from `TLSOptions`: trust roots, minimum version, client certificate,
/// peer verification recorded by `TLSSession`. Contexts are cached per options: loading the
/// system CA store costs milliseconds.
final class TLSContext: @unchecked Sendable {
    let ctx: OpaquePointer
    let trustSource: String

    private static let cache = Locked<[TLSOptions: TLSContext]>([:])

    static func context(for options: TLSOptions) throws -> TLSContext {
        if let hit = cache.withLock({ $0[options] }) { return hit }
        let made = try TLSContext(options: options)
        return cache.withLock { c in
            if let hit = c[options] { return hit }
            c[options] = made
            return made
        }
    }

    private init(options: TLSOptions) throws {
        _ = OpenSSLError.drain()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw NetIOError(kind: .tls(.handshake), stage: .tls, evidence: "SSL_CTX_new: \(OpenSSLError.drainText())")
        }
        self.ctx = ctx
        let min: Int32 = options.minimumVersion == .v1_3 ? TLS1_3_VERSION : TLS1_2_VERSION
        _ = shim_SSL_CTX_set_min_proto_version(ctx, min)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tlsVerifyRecorder)

        switch options.trust {
        case .systemStore, .pinnedSHA256:
            SSL_CTX_set_default_verify_paths(ctx)
            trustSource = options.normalisedPins.isEmpty ? "system store" : "system store; pinned SHA-256"
        case .caFile(let path):
            guard SSL_CTX_load_verify_locations(ctx, path, nil) == 1 else {
                let why = OpenSSLError.drainText()
                SSL_CTX_free(ctx)
                throw NetIOError(kind: .tls(.handshake), stage: .tls,
                                 evidence: "cannot read CA file \(path): \(why)")
            }
            trustSource = "CA file \(path)"
        }
        if let cc = options.clientCertificate {
            guard SSL_CTX_use_certificate_chain_file(ctx, cc.certificateChainFile) == 1,
                  SSL_CTX_use_PrivateKey_file(ctx, cc.privateKeyFile, SSL_FILETYPE_PEM) == 1,
                  SSL_CTX_check_private_key(ctx) == 1
            else {
                let why = OpenSSLError.drainText()
                SSL_CTX_free(ctx)
                throw NetIOError(kind: .tls(.handshake), stage: .tls,
                                 evidence: "cannot use client certificate \(cc.certificateChainFile): \(why)")
            }
        }
    }

    deinit { SSL_CTX_free(ctx) }
}

/// OpenSSL's verify callback: records every error with its depth on the session and lets the
/// handshake finish, so the report can show the whole picture. `TLSSession.verdict` then decides;
/// no application data is exchanged before it has.
private let tlsVerifyRecorder: @convention(c) (Int32, OpaquePointer?) -> Int32 = { ok, store in
    guard ok == 0, let store else { return 1 }
    guard let ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()),
          let app = shim_SSL_get_app_data(OpaquePointer(ssl))
    else { return 0 }
    let recorder = Unmanaged<VerifyRecorder>.fromOpaque(app).takeUnretainedValue()
    recorder.errors.append((depth: X509_STORE_CTX_get_error_depth(store), code: X509_STORE_CTX_get_error(store)))
    return 1
}

/// Verification errors seen during one handshake.
final class VerifyRecorder {
    var errors: [(depth: Int32, code: Int32)] = []
}
