/// Why a byte string is not a valid frame. Decoding never crashes: every input is a ``Frame`` or one of these.
public struct FrameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category, counted by ``FrameRejectionCounter`` and exported as a metric label.
    public enum Reason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Shorter than the header or than its kind's layout requires.
        case truncated
        /// Longer than ``FrameCodec/maxFrameSize``.
        case oversized
        /// The version byte is not ``FrameCodec/version``.
        case wrongVersion
        /// The kind byte names no ``FrameKind``.
        case unknownKind
        /// Longer than its kind's layout allows (trailing bytes), or a message of more than one part.
        case badLength
        /// A field holds a value the layout forbids (flag not 0/1, duplicate entries, mismatched transfer, ...).
        case badField

        public var description: String { rawValue }
    }

    /// The category.
    public let reason: Reason
    /// What exactly was wrong, with offsets and values, for logs.
    public let detail: String

    /// Creates an error of `reason`.
    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "frame rejected (\(reason)): \(detail)" }
}
