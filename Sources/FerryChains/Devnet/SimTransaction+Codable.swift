import FerryCore
import FerryCrypto

extension GatewayCall: Codable {
    private enum CodingKeys: String, CodingKey { case kind, transfer, signatures, onward, checkpoint, root, transfers, proofs }
    private enum CheckpointKeys: String, CodingKey { case sourceChain, root, firstNonce, lastNonce, count }

    /// `{"kind": "lock" | "release" | "cancel" | "refund", "transfer": {...}, "signatures": ["0x…", …],
    /// "onward": [{...}, …]}` (`signatures` is omitted for a lock; `onward`, a multi-hop route's remaining hops,
    /// is omitted when empty and allowed only on a lock or release);
    /// `{"kind": "commit", "checkpoint": {"sourceChain", "root", "firstNonce", "lastNonce", "count"}, "signatures": […]}`;
    /// `{"kind": "releaseBatch", "root": "0x…", "transfers": [{...}, …], "proofs": [["0x…", …], …]}` (at most
    /// 256 transfers, each proof at most 8 siblings).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kindText = try c.decode(String.self, forKey: .kind)
        guard let kind = GatewayCallKind(rawValue: kindText) else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c,
                                                   debugDescription: "unknown call \"\(kindText)\"; expected lock, release, cancel, refund, commit or releaseBatch")
        }
        switch kind {
        case .commit:
            let k = try c.nestedContainer(keyedBy: CheckpointKeys.self, forKey: .checkpoint)
            let count = try k.decodeCount(.count)
            guard let count32 = UInt32(exactly: count) else {
                throw DecodingError.dataCorruptedError(forKey: .count, in: k, debugDescription: "count \(count) does not fit uint32")
            }
            let checkpoint = FerryCheckpoint(sourceChain: try k.decodeCount(.sourceChain), root: try k.decodeBytes32(.root),
                                             firstNonce: try k.decodeCount(.firstNonce), lastNonce: try k.decodeCount(.lastNonce),
                                             count: count32)
            self = .commit(checkpoint, signatures: try c.decodeSignatures(.signatures))
            return
        case .releaseBatch:
            let transfers = try c.decode([TransferJSON].self, forKey: .transfers).map(\.transfer)
            let proofs = try c.decode([[String]].self, forKey: .proofs)
            guard transfers.count <= MerkleTree.maxLeaves, proofs.count == transfers.count,
                  proofs.allSatisfy({ $0.count <= MerkleTree.maxProofLength }) else {
                throw DecodingError.dataCorruptedError(forKey: .proofs, in: c, debugDescription:
                    "a batch holds at most \(MerkleTree.maxLeaves) transfers, one proof each of at most \(MerkleTree.maxProofLength) nodes")
            }
            let nodes: [[Bytes32]]
            do { nodes = try proofs.map { try $0.map { try Bytes32(hex: $0) } } } catch {
                throw DecodingError.dataCorruptedError(forKey: .proofs, in: c, debugDescription: "proof nodes are 0x and 64 hex digits")
            }
            self = .releaseBatch(root: try c.decodeBytes32(.root), transfers: transfers, proofs: nodes)
            return
        case .lock, .release, .cancel, .refund:
            break
        }
        let transfer = try c.decodeTransfer(.transfer)
        switch kind {
        case .lock:
            if c.contains(.signatures), try !c.decodeSignatures(.signatures).isEmpty {
                throw DecodingError.dataCorruptedError(forKey: .signatures, in: c, debugDescription: "a lock carries no signatures")
            }
            self = .lock(transfer, onward: try c.decodeOnward(.onward))
        case .release:
            self = .release(transfer, signatures: try c.decodeSignatures(.signatures), onward: try c.decodeOnward(.onward))
        default:
            if try !c.decodeOnward(.onward).isEmpty {
                throw DecodingError.dataCorruptedError(forKey: .onward, in: c, debugDescription: "only a lock or a release carries onward hops")
            }
            let signatures = try c.decodeSignatures(.signatures)
            self = kind == .cancel ? .cancel(transfer, signatures: signatures) : .refund(transfer, signatures: signatures)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .kind)
        switch self {
        case let .commit(checkpoint, signatures):
            var k = c.nestedContainer(keyedBy: CheckpointKeys.self, forKey: .checkpoint)
            try k.encode(checkpoint.sourceChain, forKey: .sourceChain)
            try k.encode(checkpoint.root.hex, forKey: .root)
            try k.encode(checkpoint.firstNonce, forKey: .firstNonce)
            try k.encode(checkpoint.lastNonce, forKey: .lastNonce)
            try k.encode(checkpoint.count, forKey: .count)
            try c.encodeSignatures(signatures, forKey: .signatures)
        case let .releaseBatch(root, transfers, proofs):
            try c.encode(root.hex, forKey: .root)
            try c.encode(transfers.map(TransferJSON.init), forKey: .transfers)
            try c.encode(proofs.map { $0.map(\.hex) }, forKey: .proofs)
        case .lock, .release, .cancel, .refund:
            if let transfer { try c.encodeTransfer(transfer, forKey: .transfer) }
            if kind != .lock { try c.encodeSignatures(signatures, forKey: .signatures) }
            try c.encodeOnward(onward, forKey: .onward)
        }
    }
}

extension SimTransaction: Codable {
    private enum CodingKeys: String, CodingKey { case chain, from, nonce, call, bid, signature }

    /// `{"chain", "from", "nonce", "call", "bid", "signature"}`; `signature` is the sender's over ``signingHash``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode(String.self, forKey: .signature)
        let signature: Signature
        do {
            guard text.hasPrefix("0x"), text.utf8.count == 132 else {
                throw DecodingError.dataCorruptedError(forKey: .signature, in: c, debugDescription: "expected 0x and 130 hex digits (r || s || v)")
            }
            signature = try Signature(hex: text)
        } catch let error as DecodingError {
            throw error
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .signature, in: c, debugDescription: "not a valid signature: \(error)")
        }
        self.init(chain: ChainID(try c.decodeCount(.chain)), from: try c.decode(Address.self, forKey: .from),
                  nonce: try c.decodeCount(.nonce), call: try c.decode(GatewayCall.self, forKey: .call),
                  bid: try c.decode(FeeBid.self, forKey: .bid), signature: signature)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(chain, forKey: .chain)
        try c.encode(from, forKey: .from)
        try c.encode(nonce, forKey: .nonce)
        try c.encode(call, forKey: .call)
        try c.encode(bid, forKey: .bid)
        try c.encode(signature.description, forKey: .signature)
    }
}

extension EventCursor: Codable {
    private enum CodingKeys: String, CodingKey { case nextHeight, delivered }
    private enum BlockKeys: String, CodingKey { case height, hash }

    /// `{"nextHeight": n, "delivered": [{"height": h, "hash": "0x…"}, …]}`: the hashes of recently delivered blocks,
    /// which let the server notice a replaced block and announce a reorg. Clients pass it back unchanged.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(from: try c.decodeCount(.nextHeight))
        var list = try c.nestedUnkeyedContainer(forKey: .delivered)
        if let count = list.count, count > WireLimits.cursorHashes {
            throw DecodingError.dataCorruptedError(forKey: .delivered, in: c,
                                                   debugDescription: "at most \(WireLimits.cursorHashes) entries, got \(count)")
        }
        while !list.isAtEnd {
            let block = try list.nestedContainer(keyedBy: BlockKeys.self)
            let height = try block.decodeCount(.height)
            guard height < nextHeight else {
                throw DecodingError.dataCorruptedError(forKey: .height, in: block,
                                                       debugDescription: "delivered height \(height) is not below nextHeight \(nextHeight)")
            }
            delivered[height] = try block.decodeBytes32(.hash)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(nextHeight, forKey: .nextHeight)
        var list = c.nestedUnkeyedContainer(forKey: .delivered)
        for (height, hash) in delivered.sorted(by: { $0.key < $1.key }) {
            var block = list.nestedContainer(keyedBy: BlockKeys.self)
            try block.encode(height, forKey: .height)
            try block.encode(hash.hex, forKey: .hash)
        }
    }
}
