public import FerryCore

/// One transfer as the journal holds it.
public struct JournalEntry: Sendable, Hashable {
    public let messageId: Bytes32
    public let transfer: Transfer
    public let state: TransferState
    /// Source block of the lock.
    public let lockHeight: UInt64
    public let lockBlockHash: Bytes32
    /// Multi-hop routes: the route id and this hop's position (0-based), when the transfer is one hop of a route.
    public let routeID: Bytes32?
    public let hopIndex: Int?
    /// Unix milliseconds of the first record and of the latest state change.
    public let createdAtMillis: UInt64
    public let updatedAtMillis: UInt64
}

/// An attestation signature stored for a message id.
public struct AttestationRecord: Sendable, Hashable {
    public let messageId: Bytes32
    public let kind: AttestationKind
    /// The recovered signer, 20 bytes.
    public let signer: [UInt8]
    /// `r || s || v`, 65 bytes.
    public let signature: [UInt8]
    public let receivedAtMillis: UInt64

    public init(messageId: Bytes32, kind: AttestationKind, signer: [UInt8], signature: [UInt8], receivedAtMillis: UInt64) {
        self.messageId = messageId
        self.kind = kind
        self.signer = signer
        self.signature = signature
        self.receivedAtMillis = receivedAtMillis
    }
}

/// How far a relayer has read a chain's gateway events.
public struct ChainCursor: Sendable, Hashable {
    public let chain: ChainID
    /// Next height to read.
    public let height: UInt64
    public let updatedAtMillis: UInt64
}

/// One outgoing gateway call, keyed so that it is made at most once per purpose.
public struct SubmissionRecord: Sendable, Hashable {
    /// `<action>:<messageId hex>`: the same purpose always has the same key.
    public let idempotencyKey: String
    public let messageId: Bytes32
    public let chain: ChainID
    public let action: SubmissionAction
    public let state: SubmissionState
    public let txHash: Bytes32?
    public let attempts: Int
    public let lastError: String?
    public let updatedAtMillis: UInt64

    /// The key for `action` on `messageId`.
    public static func key(_ action: SubmissionAction, _ messageId: Bytes32) -> String {
        "\(action.rawValue):\(messageId.hex)"
    }
}

/// One line of a transfer's history.
public struct TransitionRecord: Sendable, Hashable {
    public let messageId: Bytes32
    public let from: TransferState?
    public let to: TransferState
    public let atMillis: UInt64
    public let note: String?
}
