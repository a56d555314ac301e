import FerryCore
import FerryCrypto

extension GatewayCall: Codable {
    private enum CodingKeys: String, CodingKey { case kind, transfer, signatures, onward }

    /// `{"kind": "lock" | "release" | "cancel" | "refund", "transfer": {...}, "signatures": ["0x…", …],
    /// "onward": [{...}, …]}` (`signatures` is omitted for a lock; `onward`, a multi-hop route's remaining hops,
    /// is omitted when empty and allowed only on a lock or release).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kindText = try c.decode(String.self, forKey: .kind)
        guard let kind = GatewayCallKind(rawValue: kindText) else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c,
                                                   debugDescription: "unknown call \"\(kindText)\"; expected lock, release, cancel or refund")
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
        case .cancel, .refund:
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
        try c.encodeTransfer(transfer, forKey: .transfer)
        if kind != .lock { try c.encodeSignatures(signatures, forKey: .signatures) }
        try c.encodeOnward(onward, forKey: .onward)
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
