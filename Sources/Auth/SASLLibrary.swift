internal import CSASL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// The Cyrus SASL library (libsasl2) as this process sees it: initialised once, with the
/// mechanisms its installed plugins provide (RFC 4422 mechanisms such as SCRAM-SHA-256 RFC 7677,
/// SCRAM-SHA-1 RFC 5802, CRAM-MD5 RFC 2195, DIGEST-MD5 RFC 2831, GSSAPI RFC 4752, NTLM).
///
/// `sasl_client_init` runs exactly once per process (a `static let`), after real mutexes were
/// given to the library (`sasl_set_mutex`), so exchanges may run in parallel, each on its own
/// `sasl_conn_t`.
public enum SASLLibrary {
    /// The mechanisms the installed client plugins offer here, upper-case, as libsasl2 lists them
    /// (`sasl_global_listmech`); empty when libsasl2 could not be initialised.
    public static var availableMechanisms: [String] { mechanismList }

    /// `true` when `sasl_client_init` succeeded.
    public static var isInitialised: Bool { initResult == SASL_OK }

    /// The library's implementation and version, e.g. `Cyrus SASL 2.1.28`.
    public static var version: String {
        var implementation: UnsafePointer<CChar>?
        var versionString: UnsafePointer<CChar>?
        var major: Int32 = 0, minor: Int32 = 0, step: Int32 = 0, patch: Int32 = 0
        sasl_version_info(&implementation, &versionString, &major, &minor, &step, &patch)
        let name = implementation.map { String(cString: $0) } ?? "libsasl2"
        return "\(name) \(versionString.map { String(cString: $0) } ?? "\(major).\(minor).\(step)")"
    }

    /// Whether `name` (any case) is provided by an installed plugin.
    public static func provides(_ name: String) -> Bool {
        mechanismList.contains(name.uppercased())
    }

    /// The result of the one `sasl_client_init` of this process.
    static let initResult: Int32 = {
        sasl_set_mutex(mutexAlloc, mutexLock, mutexUnlock, mutexFree)
        // Global callbacks live as long as the process: only a log callback that drops libsasl2's
        // syslog chatter (errors reach the caller through sasl_errdetail instead).
        let callbacks = UnsafeMutablePointer<sasl_callback_t>.allocate(capacity: 2)
        callbacks[0] = sasl_callback_t(id: UInt(SASL_CB_LOG), proc: unsafeBitCast(dropLog, to: SASLCallback.self),
                                       context: nil)
        callbacks[1] = sasl_callback_t(id: UInt(SASL_CB_LIST_END), proc: nil, context: nil)
        return sasl_client_init(callbacks)
    }()

    private static let mechanismList: [String] = {
        guard initResult == SASL_OK, let list = sasl_global_listmech() else { return [] }
        var names: [String] = []
        var i = 0
        while let entry = list[i], i < maximumMechanisms {
            names.append(String(cString: entry).uppercased())
            i += 1
        }
        return names
    }()

    /// A bound on the mechanism list walked (libsasl2 ships about a dozen).
    private static let maximumMechanisms = 256

    /// Serialises `sasl_client_new` and `sasl_dispose`, which touch libsasl2's global plugin
    /// state; the steps of different connections run in parallel.
    static let connectionLifecycleLock = SASLLock()

    /// libsasl2's callback slot type (`int (*proc)(void)`); each real callback is cast to it.
    typealias SASLCallback = @convention(c) () -> Int32

    private static let dropLog: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?) -> Int32 = { _, _, _ in
        SASL_OK
    }
    private static let mutexAlloc: @convention(c) () -> UnsafeMutableRawPointer? = {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        return UnsafeMutableRawPointer(mutex)
    }
    /// libsasl2's built-in no-op mutexes are the pointer 1: if another part of the process
    /// initialised libsasl2 before us and allocated some, they stay no-ops rather than being
    /// handed to pthread.
    private static func isBuiltInDummy(_ raw: UnsafeMutableRawPointer) -> Bool { UInt(bitPattern: raw) == 1 }

    private static let mutexLock: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { raw in
        guard let raw else { return SASL_FAIL }
        if isBuiltInDummy(raw) { return SASL_OK }
        return pthread_mutex_lock(raw.assumingMemoryBound(to: pthread_mutex_t.self)) == 0 ? SASL_OK : SASL_FAIL
    }
    private static let mutexUnlock: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { raw in
        guard let raw else { return SASL_FAIL }
        if isBuiltInDummy(raw) { return SASL_OK }
        return pthread_mutex_unlock(raw.assumingMemoryBound(to: pthread_mutex_t.self)) == 0 ? SASL_OK : SASL_FAIL
    }
    private static let mutexFree: @convention(c) (UnsafeMutableRawPointer?) -> Void = { raw in
        guard let raw, !isBuiltInDummy(raw) else { return }
        let mutex = raw.assumingMemoryBound(to: pthread_mutex_t.self)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
}
