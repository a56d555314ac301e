import FerryCore
import FerryCrypto

// JSON forms of the adapter's value types, as the devnet API speaks them (docs/devnet.md).

extension AssetInfo: Codable {
    private enum CodingKeys: String, CodingKey { case symbol, decimals, gatewayID }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let decimals = try c.decodeInt(.decimals)
        guard (0...77).contains(decimals) else {
            throw DecodingError.dataCorruptedError(forKey: .decimals, in: c, debugDescription: "must be 0...77, got \(decimals)")
        }
        self.init(symbol: try c.decode(String.self, forKey: .symbol), decimals: decimals, gatewayID: try c.decodeBytes32(.gatewayID))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(symbol, forKey: .symbol)
        try c.encode(decimals, forKey: .decimals)
        try c.encode(gatewayID.hex, forKey: .gatewayID)
    }
}

extension ChainInfo: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, name, family, nativeAsset, assets, finalityDepth, blockTimeMillis, gateway
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let assets = try c.decode([AssetInfo].self, forKey: .assets)
        let native = try c.decode(AssetInfo.self, forKey: .nativeAsset)
        guard assets.first == native else {
            throw DecodingError.dataCorruptedError(forKey: .assets, in: c, debugDescription: "must list the native asset first")
        }
        self.init(id: ChainID(try c.decodeCount(.id)), name: try c.decode(String.self, forKey: .name),
                  family: try c.decode(ChainFamily.self, forKey: .family), nativeAsset: native, assets: assets,
                  finalityDepth: try c.decodeCount(.finalityDepth),
                  blockTimeMillis: try c.decodeCount(.blockTimeMillis),
                  gateway: try c.decode(EthereumAddress.self, forKey: .gateway))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(family, forKey: .family)
        try c.encode(nativeAsset, forKey: .nativeAsset)
        try c.encode(assets, forKey: .assets)
        try c.encode(finalityDepth, forKey: .finalityDepth)
        try c.encode(blockTimeMillis, forKey: .blockTimeMillis)
        try c.encode(gateway, forKey: .gateway)
    }
}

extension BlockRef: Codable {
    private enum CodingKeys: String, CodingKey { case height, hash, timestampMillis }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(height: try c.decodeCount(.height), hash: try c.decodeBytes32(.hash),
                  timestampMillis: try c.decodeCount(.timestampMillis))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(height, forKey: .height)
        try c.encode(hash.hex, forKey: .hash)
        try c.encode(timestampMillis, forKey: .timestampMillis)
    }
}

extension FeeEstimate: Codable {
    private enum CodingKeys: String, CodingKey { case low, median, high, detail, takenAtMillis }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(low: try c.decode(Amount.self, forKey: .low), median: try c.decode(Amount.self, forKey: .median),
                  high: try c.decode(Amount.self, forKey: .high), detail: try c.decode(String.self, forKey: .detail),
                  takenAtMillis: try c.decodeCount(.takenAtMillis))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(low, forKey: .low)
        try c.encode(median, forKey: .median)
        try c.encode(high, forKey: .high)
        try c.encode(detail, forKey: .detail)
        try c.encode(takenAtMillis, forKey: .takenAtMillis)
    }
}

extension TxID: Codable {
    /// Decodes `0x` + 64 hex digits.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard text.hasPrefix("0x"), text.utf8.count == 66, let hash = try? Bytes32(hex: text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a transaction id: 0x and 64 hex digits")
        }
        self.init(hash)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hash.hex)
    }
}

extension TxStatus: Codable {
    private enum CodingKeys: String, CodingKey { case status, height, succeeded, reason }

    /// `{"status": "pending" | "dropped"}` or `{"status": "included", "height", "succeeded", "reason"?}`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .status) {
        case "pending": self = .pending
        case "dropped": self = .dropped
        case "included":
            self = .included(height: try c.decodeCount(.height), succeeded: try c.decode(Bool.self, forKey: .succeeded),
                             reason: try c.decodeIfPresent(String.self, forKey: .reason))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .status, in: c,
                                                   debugDescription: "unknown status \"\(other)\"; expected pending, included or dropped")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .pending: try c.encode("pending", forKey: .status)
        case .dropped: try c.encode("dropped", forKey: .status)
        case let .included(height, succeeded, reason):
            try c.encode("included", forKey: .status)
            try c.encode(height, forKey: .height)
            try c.encode(succeeded, forKey: .succeeded)
            try c.encodeIfPresent(reason, forKey: .reason)
        }
    }
}

extension GatewayRecord: Codable {
    private enum CodingKeys: String, CodingKey { case state, transfer, height }

    /// `{"state": "none"}`, `{"state": "locked", "transfer", "height"}`, or `refunded` / `released` / `cancelled` with a height.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .state) {
        case "none": self = .none
        case "locked": self = .locked(try c.decodeTransfer(.transfer), height: try c.decodeCount(.height))
        case "refunded": self = .refunded(height: try c.decodeCount(.height))
        case "released": self = .released(height: try c.decodeCount(.height))
        case "cancelled": self = .cancelled(height: try c.decodeCount(.height))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .state, in: c, debugDescription: "unknown state \"\(other)\"; expected none, locked, refunded, released or cancelled")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .none: try c.encode("none", forKey: .state)
        case let .locked(transfer, height):
            try c.encode("locked", forKey: .state)
            try c.encodeTransfer(transfer, forKey: .transfer)
            try c.encode(height, forKey: .height)
        case let .refunded(height):
            try c.encode("refunded", forKey: .state)
            try c.encode(height, forKey: .height)
        case let .released(height):
            try c.encode("released", forKey: .state)
            try c.encode(height, forKey: .height)
        case let .cancelled(height):
            try c.encode("cancelled", forKey: .state)
            try c.encode(height, forKey: .height)
        }
    }
}

extension GatewayEvent: Codable {
    private enum CodingKeys: String, CodingKey { case kind, messageId, transfer, block, tx, fromHeight }

    /// `{"kind": "locked", "messageId", "transfer", "block", "tx"}`; `released` / `cancelled` / `refunded` without
    /// the transfer; `{"kind": "reorg", "fromHeight"}`; `{"kind": "head", "block"}`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "reorg": self = .reorg(fromHeight: try c.decodeCount(.fromHeight))
        case "head": self = .head(try c.decode(BlockRef.self, forKey: .block))
        case "locked", "released", "cancelled", "refunded":
            let id = try c.decodeBytes32(.messageId)
            let block = try c.decode(BlockRef.self, forKey: .block)
            let tx = try c.decode(TxID.self, forKey: .tx)
            switch kind {
            case "locked":
                let transfer = try c.decodeTransfer(.transfer)
                guard transfer.messageId == id else {
                    throw DecodingError.dataCorruptedError(forKey: .messageId, in: c,
                                                           debugDescription: "does not match the transfer (its id is \(transfer.messageId))")
                }
                self = .locked(messageId: id, transfer: transfer, block: block, tx: tx)
            case "released": self = .released(messageId: id, block: block, tx: tx)
            case "cancelled": self = .cancelled(messageId: id, block: block, tx: tx)
            default: self = .refunded(messageId: id, block: block, tx: tx)
            }
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c,
                debugDescription: "unknown event kind \"\(kind)\"; expected locked, released, cancelled, refunded, reorg or head")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        func common(_ kind: String, _ id: Bytes32, _ block: BlockRef, _ tx: TxID) throws {
            try c.encode(kind, forKey: .kind)
            try c.encode(id.hex, forKey: .messageId)
            try c.encode(block, forKey: .block)
            try c.encode(tx, forKey: .tx)
        }
        switch self {
        case let .locked(id, transfer, block, tx):
            try common("locked", id, block, tx)
            try c.encodeTransfer(transfer, forKey: .transfer)
        case let .released(id, block, tx): try common("released", id, block, tx)
        case let .cancelled(id, block, tx): try common("cancelled", id, block, tx)
        case let .refunded(id, block, tx): try common("refunded", id, block, tx)
        case let .reorg(from):
            try c.encode("reorg", forKey: .kind)
            try c.encode(from, forKey: .fromHeight)
        case let .head(block):
            try c.encode("head", forKey: .kind)
            try c.encode(block, forKey: .block)
        }
    }
}

extension RelayerSet: Codable {
    private enum CodingKeys: String, CodingKey { case members, threshold }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let members = try c.decode([EthereumAddress].self, forKey: .members)
        let threshold = try c.decodeInt(.threshold)
        guard threshold >= 1, threshold <= members.count else {
            throw DecodingError.dataCorruptedError(forKey: .threshold, in: c,
                                                   debugDescription: "must be 1...\(members.count) (the member count), got \(threshold)")
        }
        self.init(members: members, threshold: threshold)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(members, forKey: .members)
        try c.encode(threshold, forKey: .threshold)
    }
}
