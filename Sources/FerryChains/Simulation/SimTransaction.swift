public import FerryCore
public import FerryCrypto

/// A signed transaction on a simulated ledger: one gateway call from one account, authenticated by the
/// sender's recoverable signature over ``signingHash``.
public struct SimTransaction: Sendable, Hashable {
    public let chain: ChainID
    /// The sender's account (its Ethereum address, left-padded).
    public let from: Address
    /// The sender's sequence number; the ledger includes nonces in order.
    public let nonce: UInt64
    public let call: GatewayCall
    public let bid: FeeBid
    /// Recoverable secp256k1 signature over ``signingHash`` by `from`.
    public let signature: Signature

    public init(chain: ChainID, from: Address, nonce: UInt64, call: GatewayCall, bid: FeeBid, signature: Signature) {
        self.chain = chain
        self.from = from
        self.nonce = nonce
        self.call = call
        self.bid = bid
        self.signature = signature
    }

    /// The transaction's id: its signing hash (signatures are not part of it, so a malleated signature
    /// cannot make a second id for the same transaction).
    public var id: TxID { TxID(signingHash) }

    /// keccak256 over chain, sender, nonce, bid and call.
    public var signingHash: Bytes32 {
        Self.signingHash(chain: chain, from: from, nonce: nonce, call: call, bid: bid)
    }

    /// The digest a sender signs for these fields.
    public static func signingHash(chain: ChainID, from: Address, nonce: UInt64, call: GatewayCall, bid: FeeBid) -> Bytes32 {
        var out: [UInt8] = Array("ferry.sim.tx.v1".utf8)
        out += be(chain.rawValue) + from.bytes32.bytes + be(nonce)
        out += be(bid.units) + be(bid.maxBasePerUnit) + be(bid.tipPerUnit) + be(bid.fixedBurned) + be(bid.fixedToProducer)
        out += call.canonicalBytes
        return Keccak256.hash(out)
    }

    /// The kind of call, for sizing.
    public var kind: GatewayCallKind { call.kind }
}

extension GatewayCall {
    /// Which gateway function this is.
    public var kind: GatewayCallKind {
        switch self {
        case .lock: .lock
        case .release: .release
        case .cancel: .cancel
        case .refund: .refund
        case .commit: .commit
        case .releaseBatch: .releaseBatch
        }
    }

    /// True for calls keyed by a message id the gateway accepts at most once (release, cancel, refund): repeating one
    /// can only replace or fail, never pay twice. A lock is not: two identical locks are two payments.
    public var isIdempotent: Bool {
        if case .lock = self { return false }
        return true
    }

    /// The one transfer a per-transfer call (lock, release, cancel, refund) is about; nil for a commit and a batch release.
    public var transfer: Transfer? {
        switch self {
        case let .lock(t, _), let .release(t, _, _), let .cancel(t, _), let .refund(t, _): t
        case .commit, .releaseBatch: nil
        }
    }

    /// Every transfer the call is about: one for per-transfer calls, none for a commit, the batch for a batch release.
    public var transfers: [Transfer] {
        switch self {
        case let .releaseBatch(_, transfers, _): transfers
        default: transfer.map { [$0] } ?? []
        }
    }

    /// Attestation signatures carried by the call (none for a lock or a batch release).
    public var signatures: [Signature] {
        switch self {
        case .lock, .releaseBatch: []
        case let .release(_, s, _), let .cancel(_, s), let .refund(_, s), let .commit(_, s): s
        }
    }

    /// The rest of a multi-hop route the call carries (empty for single-hop transfers, cancels and refunds).
    public var onward: [Transfer] {
        switch self {
        case let .lock(_, onward), let .release(_, _, onward): onward
        case .cancel, .refund, .commit, .releaseBatch: []
        }
    }

    /// A byte encoding that identifies the call: kind, then for per-transfer calls the ABI-encoded transfer, each
    /// signature's r‖s‖v, then (only when there are any) the count and ABI encodings of the onward hops; for a
    /// commit the checkpoint's five fields as 32-byte words and the signatures; for a batch release the root, the
    /// transfers and each proof (count, then siblings).
    public var canonicalBytes: [UInt8] {
        let tag: UInt8 = switch kind {
        case .lock: 1; case .release: 2; case .cancel: 3; case .refund: 4; case .commit: 5; case .releaseBatch: 6
        }
        switch self {
        case let .commit(c, signatures):
            var out: [UInt8] = [tag] + be(c.sourceChain) + c.root.bytes + be(c.firstNonce) + be(c.lastNonce) + be(UInt64(c.count))
            out += be(UInt64(signatures.count))
            for signature in signatures { out += signature.rsv }
            return out
        case let .releaseBatch(root, transfers, proofs):
            var out: [UInt8] = [tag] + root.bytes + be(UInt64(transfers.count))
            for t in transfers { out += t.abiEncoded }
            out += be(UInt64(proofs.count))
            for proof in proofs {
                out += be(UInt64(proof.count))
                for node in proof { out += node.bytes }
            }
            return out
        case .lock, .release, .cancel, .refund:
            break
        }
        var out: [UInt8] = [tag] + (transfer?.abiEncoded ?? []) + be(UInt64(signatures.count))
        for signature in signatures { out += signature.rsv }
        let onward = self.onward
        if !onward.isEmpty {
            out += be(UInt64(onward.count))
            for hop in onward { out += hop.abiEncoded }
        }
        return out
    }
}

/// Big-endian bytes of `value`.
func be(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
