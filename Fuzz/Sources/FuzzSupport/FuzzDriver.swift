import CFuzzer
import Glibc

nonisolated(unsafe) private var currentBody: (([UInt8]) -> Void)?

/// Runs libFuzzer with `body` as the function under test; never returns. `body` must not crash,
/// hang or leak for any input: a thrown error is fine (it is the parser's answer to bad input).
public func runFuzzer(_ body: @escaping ([UInt8]) -> Void) -> Never {
    currentBody = body
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let rc = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
        currentBody?(bytes)
        return 0
    }
    exit(rc)
}
