// The few things of Foundation the tool used that FoundationEssentials lacks (issue 19: with Foundation the static
// binary carried 34 MB of ICU data). Each gives the same text as the Foundation call it replaces.

import FoundationEssentials  // CocoaError
#if canImport(Glibc)
import Glibc
#endif

extension String {
    /// `String(format:)` for numbers: C's `printf` conversions (`%.2f`, `%5.1f%%`, `%g`), in the C locale the tool
    /// always runs in (it never calls `setlocale`), as Foundation printed them.
    public init(printf format: String, _ arguments: CVarArg...) {
        var buffer = [CChar](repeating: 0, count: 128)
        var n = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        if n >= Int32(buffer.count) {
            buffer = [CChar](repeating: 0, count: Int(n) + 1)
            n = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        self = String(decoding: buffer.prefix(Int(Swift.max(n, 0))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `trimmingCharacters(in: .whitespaces)`: without the tabs and Unicode space separators (and U+200B, which
    /// Foundation's set also holds) at both ends.
    package func trimmingWhitespace() -> String {
        func isSpace(_ u: Unicode.Scalar) -> Bool {
            u == "\t" || u == "\u{200B}" || u.properties.generalCategory == .spaceSeparator
        }
        let s = unicodeScalars
        guard let first = s.firstIndex(where: { !isSpace($0) }), let last = s.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(s[first...last])
    }

    /// `(self as NSString).appendingPathComponent(component)` for a non-empty component: joined with one `/`
    /// unless this ends with one; the component alone when this is empty.
    package func appendingPath(_ component: String) -> String {
        if isEmpty { return component }
        return hasSuffix("/") ? self + component : self + "/" + component
    }
}

/// `error.localizedDescription` as Foundation gave it for the errors FileManager throws (`CocoaError`):
/// "The operation could not be completed. The file doesn’t exist.", or "... (NSCocoaErrorDomain error 256.)"
/// for a code without a message of its own.
package func foundationErrorText(_ error: any Error) -> String {
    guard let e = error as? CocoaError else { return "The operation could not be completed. (\(error))" }
    let messages: [Int: String] = [
        4: "The file doesn’t exist.", 255: "The file couldn’t be locked.", 257: "You don’t have permission.",
        258: "The file name is invalid.", 259: "The file isn’t in the correct format.", 260: "The file doesn’t exist.",
        261: "The specified text encoding isn’t applicable.", 262: "The specified URL type isn’t supported.",
        263: "The item is too large.", 264: "The text encoding of the contents couldn’t be determined.",
        513: "You don’t have permission.", 514: "The file name is invalid.", 516: "A file with the same name already exists.",
        517: "The specified text encoding isn’t applicable.", 518: "The specified URL type isn’t supported.",
        640: "There isn’t enough space.", 642: "The volume is read only.",
    ]
    let code = e.code.rawValue
    return "The operation could not be completed. " + (messages[code] ?? "(NSCocoaErrorDomain error \(code).)")
}

/// A mutex with a condition variable (pthread), for what `NSCondition` and `NSLock` did: `lock`, `unlock`,
/// `wait` (with the lock held), `broadcast`. The two pthread objects live at fixed heap addresses.
package final class ConditionLock: @unchecked Sendable {
    // Invariant for @unchecked Sendable: the pthread objects are only touched through pthread calls, which are
    // safe from any thread; they are initialized here and destroyed in deinit, when no thread can use them.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    package init() {
        mutex.initialize(to: pthread_mutex_t())
        condition.initialize(to: pthread_cond_t())
        precondition(pthread_mutex_init(mutex, nil) == 0 && pthread_cond_init(condition, nil) == 0)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(mutex) }
    package func unlock() { pthread_mutex_unlock(mutex) }
    /// Waits for a `broadcast`; the caller holds the lock, and holds it again when this returns.
    package func wait() { pthread_cond_wait(condition, mutex) }
    package func broadcast() { pthread_cond_broadcast(condition) }
}
