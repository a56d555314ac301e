internal import COpenSSL

/// Secret bytes (a private key, a derived key) in one heap allocation that is wiped with
/// `OPENSSL_cleanse` when the last reference goes away.
///
/// Immutable after creation. `description` is redacted so a secret never lands in a log.
/// Equality is decided in constant time.
// @unchecked Sendable: the storage is written only during `init` and never again, so
// concurrent reads through `withUnsafeBytes` are safe.
public final class SecretBytes: @unchecked Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes` into wiped-on-release storage.
    ///
    /// The caller still owns (and should clear) any copy of its own.
    public init(_ bytes: some Collection<UInt8>) {
        storage = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        for (i, b) in bytes.enumerated() { storage[i] = b }
        count = bytes.count
    }

    /// Allocates `count` zeroed bytes and lets `fill` write them in place, so the secret never
    /// exists outside this storage. If `fill` throws, the storage is wiped and freed.
    init<E: Error>(count: Int, fill: (UnsafeMutableRawBufferPointer) throws(E) -> Void) throws(E) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        do {
            try fill(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
        } catch {
            Self.wipe(storage)
            storage.deallocate()
            throw error
        }
        self.storage = storage
        self.count = count
    }

    deinit {
        Self.wipe(storage)
        storage.deallocate()
    }

    /// Number of secret bytes.
    public let count: Int

    /// Calls `body` with the secret bytes. Do not let the pointer escape `body`.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// Constant-time comparison (lengths are not secret).
    public static func == (a: SecretBytes, b: SecretBytes) -> Bool {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in OpenSSL.constantTimeEquals(x, y) } }
    }

    /// Always `SecretBytes(<count> bytes, redacted)`.
    public var description: String { "SecretBytes(\(count) bytes, redacted)" }

    /// Same as `description`: redacted.
    public var debugDescription: String { description }

    private static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
    }
}
