public import FerryCore

/// An attestation as it arrives from a peer: who claims to have signed what, for which verifying chain.
public struct SignedAttestation: Sendable, Hashable {
    /// The chain whose gateway verifies it (``AttestationKind/verifyingChain(of:)``): the destination for
    /// release and cancel, the source for refund.
    public let destChain: ChainID
    public let messageId: Bytes32
    public let kind: AttestationKind
    /// The signer the sender claims; must equal the address the signature recovers to.
    public let signer: EthereumAddress
    public let signature: Signature

    public init(destChain: ChainID, messageId: Bytes32, kind: AttestationKind, signer: EthereumAddress, signature: Signature) {
        self.destChain = destChain
        self.messageId = messageId
        self.kind = kind
        self.signer = signer
        self.signature = signature
    }

    /// The EIP-712 digest this attestation signs in `domain`.
    public static func digest(_ kind: AttestationKind, _ messageId: Bytes32, in domain: EIP712Domain) -> Bytes32 {
        switch kind {
        case .release: FerryAttestation.release(messageId: messageId).digest(in: domain)
        case .cancel: FerryAttestation.cancel(messageId: messageId).digest(in: domain)
        case .refund: FerryAttestation.refund(messageId: messageId).digest(in: domain)
        }
    }
}

/// Why an attestation was not counted. Each reason is a metrics label.
public enum AttestationRejection: String, Error, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// No gateway is configured for the destination chain.
    case unknownChain = "unknown_chain"
    /// The signature does not recover (malformed r/s/v or high s).
    case badSignature = "bad_signature"
    /// It recovers to someone other than the claimed signer: a wrong digest, a wrong domain (another chain or
    /// gateway), or a forgery.
    case signerMismatch = "signer_mismatch"
    /// The signer is not in the destination gateway's relayer set.
    case notMember = "not_member"

    public var description: String {
        switch self {
        case .unknownChain: "no gateway configured for the destination chain"
        case .badSignature: "signature does not recover (malformed or high-s)"
        case .signerMismatch: "signature is for a different digest or domain than claimed"
        case .notMember: "signer is not in the destination gateway's relayer set"
        }
    }
}

/// Checks attestations against each destination gateway's EIP-712 domain and relayer set, the same way the
/// gateway will: recover the signer from the digest Ferry computes itself (never from one a peer sends),
/// require low s, membership, and that it matches the claimed signer. One per signer is enforced by the journal.
public struct AttestationCollector: Sendable {
    /// What the collector knows about one destination gateway.
    public struct Gateway: Sendable, Hashable {
        public let domain: EIP712Domain
        public let members: Set<EthereumAddress>
        public let threshold: Int

        public init(domain: EIP712Domain, members: Set<EthereumAddress>, threshold: Int) {
            self.domain = domain
            self.members = members
            self.threshold = threshold
        }
    }

    private let gateways: [ChainID: Gateway]

    public init(gateways: [ChainID: Gateway]) {
        self.gateways = gateways
    }

    /// The gateway configured for `chain`.
    public func gateway(for chain: ChainID) -> Gateway? { gateways[chain] }

    /// Verifies one attestation.
    /// - Returns: the verified signer.
    /// - Throws: the ``AttestationRejection`` saying why it does not count.
    public func verify(_ a: SignedAttestation) throws(AttestationRejection) -> EthereumAddress {
        guard let gateway = gateways[a.destChain] else { throw .unknownChain }
        guard a.signature.isLowS else { throw .badSignature }
        let digest = SignedAttestation.digest(a.kind, a.messageId, in: gateway.domain)
        let recovered: EthereumAddress
        do { recovered = try a.signature.recoverAddress(digest: digest) } catch { throw .badSignature }
        guard recovered == a.signer else { throw .signerMismatch }
        guard gateway.members.contains(recovered) else { throw .notMember }
        return recovered
    }

    /// Picks `threshold` signatures from verified records, ordered by signer address ascending (the order the
    /// gateways require, which makes "distinct signers" a cheap check on-chain).
    /// - Returns: nil when fewer than the threshold are available.
    public func signaturesForSubmission(_ records: [AttestationRecord], destChain: ChainID) -> [Signature]? {
        guard let gateway = gateways[destChain] else { return nil }
        var seen = Set<[UInt8]>()
        var picked: [(signer: [UInt8], signature: Signature)] = []
        for record in records.sorted(by: { $0.signer.lexicographicallyPrecedes($1.signer) }) {
            guard seen.insert(record.signer).inserted, let signature = try? Signature(rsv: record.signature) else { continue }
            guard let signer = try? EthereumAddress(bytes: record.signer), gateway.members.contains(signer) else { continue }
            picked.append((record.signer, signature))
            if picked.count == gateway.threshold { return picked.map(\.signature) }
        }
        return nil
    }
}
