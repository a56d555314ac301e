public import FerryCore

/// The request and answer bodies of the devnet HTTP API that are not adapter value types
/// (`docs/devnet.md` lists every endpoint). The server (`FerryDevnet`) and ``RemoteChainAdapter`` share them.
public enum DevnetAPI {
    /// Prefix of the chain API: `/v1/chains/{id}/…`.
    public static let chainsPath = "/v1/chains"
    /// Prefix of the devnet-only admin API: `/devnet/…` (needs ``adminTokenHeader``).
    public static let adminPath = "/devnet"
    /// The header admin calls carry the devnet's admin token in.
    public static let adminTokenHeader = "X-Ferry-Devnet-Admin"

    /// One chain of the devnet: its static facts and where its API lives.
    public struct ChainListing: Codable, Sendable, Hashable {
        /// The chain's static facts.
        public var info: ChainInfo
        /// The chain's API root, `http://host:port/v1/chains/{id}` (a `sim-remote` registry entry's `rpc_url`).
        public var url: String
        /// Memberwise initializer.
        public init(info: ChainInfo, url: String) {
            self.info = info
            self.url = url
        }
    }

    /// `GET /v1/chains`.
    public struct ChainList: Codable, Sendable {
        /// Every served chain, by ascending id.
        public var chains: [ChainListing]
        /// Memberwise initializer.
        public init(chains: [ChainListing]) { self.chains = chains }
    }

    /// `{"height": n}`: `GET …/finalized`.
    public struct Height: Codable, Sendable {
        /// A block height.
        public var height: UInt64
        /// Memberwise initializer.
        public init(height: UInt64) { self.height = height }

        private enum CodingKeys: String, CodingKey { case height }

        public init(from decoder: any Decoder) throws {
            height = try decoder.container(keyedBy: CodingKeys.self).decodeCount(.height)
        }
    }

    /// `{"amount": "123"}`: `GET …/accounts/{account}/balances/{asset}`.
    public struct Balance: Codable, Sendable {
        /// Smallest units.
        public var amount: Amount
        /// Memberwise initializer.
        public init(amount: Amount) { self.amount = amount }
    }

    /// `{"hops": [{...}, …]}`: `GET …/gateway/{messageId}/onward`, the rest of a multi-hop route locked there.
    public struct OnwardHops: Codable, Sendable {
        /// The onward hops, in route order (empty for a transfer that does not forward).
        public var hops: [Transfer]
        /// Memberwise initializer.
        public init(hops: [Transfer]) { self.hops = hops }

        private enum CodingKeys: String, CodingKey { case hops }

        public init(from decoder: any Decoder) throws {
            hops = try decoder.container(keyedBy: CodingKeys.self).decodeOnward(.hops)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(hops.map(TransferJSON.init), forKey: .hops)
        }
    }

    /// `{"id": "0x…"}`: `POST …/transactions`.
    public struct Submitted: Codable, Sendable {
        /// The accepted transaction's id (its signing hash).
        public var id: TxID
        /// Memberwise initializer.
        public init(id: TxID) { self.id = id }
    }

    /// `POST …/events`: poll gateway events after `cursor`, waiting up to `timeoutMillis` when there are none.
    public struct PollRequest: Codable, Sendable {
        /// Where the reader is; send the answer's cursor back unchanged next time.
        public var cursor: EventCursor
        /// How long to wait for something new, in milliseconds (0 answers at once; at most 30,000).
        public var timeoutMillis: UInt64
        /// Most blocks one answer covers (1...512).
        public var maxBlocks: Int

        /// Memberwise initializer.
        public init(cursor: EventCursor, timeoutMillis: UInt64 = 10_000, maxBlocks: Int = WireLimits.blocksPerPoll) {
            self.cursor = cursor
            self.timeoutMillis = timeoutMillis
            self.maxBlocks = maxBlocks
        }

        private enum CodingKeys: String, CodingKey { case cursor, timeoutMillis, maxBlocks }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            cursor = try c.decode(EventCursor.self, forKey: .cursor)
            timeoutMillis = try c.decodeCountIfPresent(.timeoutMillis) ?? 10_000
            guard timeoutMillis <= WireLimits.pollTimeoutMillis else {
                throw DecodingError.dataCorruptedError(forKey: .timeoutMillis, in: c,
                                                       debugDescription: "must be at most \(WireLimits.pollTimeoutMillis), got \(timeoutMillis)")
            }
            maxBlocks = try c.decodeCountIfPresent(.maxBlocks).map { Int(clamping: $0) } ?? WireLimits.blocksPerPoll
            guard (1...WireLimits.blocksPerPoll).contains(maxBlocks) else {
                throw DecodingError.dataCorruptedError(forKey: .maxBlocks, in: c,
                                                       debugDescription: "must be 1...\(WireLimits.blocksPerPoll), got \(maxBlocks)")
            }
        }
    }

    /// The answer to a poll: events in chain order (a `reorg` first when delivered blocks were replaced, a `head`
    /// after each batch) and the cursor to send next time. Empty when nothing happened before the timeout.
    public struct PollResponse: Codable, Sendable {
        /// New events in chain order.
        public var events: [GatewayEvent]
        /// Where the reader is; send the answer's cursor back unchanged next time.
        public var cursor: EventCursor
        /// False when the chain was in an outage for the whole wait.
        public var reachable: Bool
        /// Memberwise initializer.
        public init(events: [GatewayEvent], cursor: EventCursor, reachable: Bool) {
            self.events = events
            self.cursor = cursor
            self.reachable = reachable
        }
    }

    /// `POST /devnet/chains/{id}/fund`: create `amount` of `asset` in `account` (a faucet).
    public struct FundRequest: Codable, Sendable {
        /// The account to credit.
        public var account: Address
        /// An asset symbol of the chain ("USDC").
        public var asset: String
        /// Smallest units.
        public var amount: Amount
        /// Memberwise initializer.
        public init(account: Address, asset: String, amount: Amount) {
            self.account = account
            self.asset = asset
            self.amount = amount
        }
    }

    /// `POST /devnet/chains/{id}/liquidity`: add `amount` of `asset` to the gateway pool.
    public struct LiquidityRequest: Codable, Sendable {
        /// An asset symbol of the chain ("USDC").
        public var asset: String
        /// Smallest units.
        public var amount: Amount
        /// Memberwise initializer.
        public init(asset: String, amount: Amount) {
            self.asset = asset
            self.amount = amount
        }
    }

    /// `POST /devnet/time`: move every chain's clock forward (the devnet's time only ever moves forward).
    public struct AdvanceTimeRequest: Codable, Sendable {
        /// How far to move the clock (at most a year).
        public var milliseconds: UInt64
        /// Memberwise initializer.
        public init(milliseconds: UInt64) { self.milliseconds = milliseconds }

        private enum CodingKeys: String, CodingKey { case milliseconds }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            milliseconds = try c.decodeCount(.milliseconds)
            guard milliseconds <= 366 * 86_400_000 else {
                throw DecodingError.dataCorruptedError(forKey: .milliseconds, in: c, debugDescription: "must be at most a year (31622400000)")
            }
        }
    }

    /// `{"offsetMillis": n, "nowMillis": n}`: how far the devnet's clock is ahead of the wall clock, and its time now.
    public struct ClockState: Codable, Sendable {
        /// Devnet time minus wall time, in milliseconds.
        public var offsetMillis: UInt64
        /// Devnet time now, unix milliseconds.
        public var nowMillis: UInt64
        /// Memberwise initializer.
        public init(offsetMillis: UInt64, nowMillis: UInt64) {
            self.offsetMillis = offsetMillis
            self.nowMillis = nowMillis
        }

        private enum CodingKeys: String, CodingKey { case offsetMillis, nowMillis }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            offsetMillis = try c.decodeCount(.offsetMillis)
            nowMillis = try c.decodeCount(.nowMillis)
        }
    }

    /// `{"ok": true}`: admin calls that return nothing else.
    public struct Done: Codable, Sendable {
        /// Always true.
        public var ok: Bool
        /// Memberwise initializer.
        public init() { ok = true }
    }
}

extension DevnetAPI {
    /// `GET /v1/chains/{id}/transaction-template?from=0x…&call=lock&priority=high`: everything a signed transaction
    /// carries except the call and the signature. The client adds its call, signs ``SimTransaction/signingHash``
    /// with its own key and posts the result; keys never travel.
    public struct TransactionTemplate: Codable, Sendable {
        /// The chain the transaction is for.
        public var chain: ChainID
        /// The sender, who signs.
        public var from: Address
        /// The nonce the transaction must carry.
        public var nonce: UInt64
        /// The fee bid the transaction must carry (the chain's price for this call and priority).
        public var bid: FeeBid
        /// Memberwise initializer.
        public init(chain: ChainID, from: Address, nonce: UInt64, bid: FeeBid) {
            self.chain = chain
            self.from = from
            self.nonce = nonce
            self.bid = bid
        }

        private enum CodingKeys: String, CodingKey { case chain, from, nonce, bid }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            chain = ChainID(try c.decodeCount(.chain))
            from = try c.decode(Address.self, forKey: .from)
            nonce = try c.decodeCount(.nonce)
            bid = try c.decode(FeeBid.self, forKey: .bid)
        }
    }
}

extension DevnetAPI {
    /// `GET /devnet/chains/{id}/conservation`: one line per asset of ``SimulatedLedger/conservation()``.
    public struct ConservationLine: Codable, Sendable, Hashable {
        /// An asset symbol of the chain ("USDC").
        public var asset: String
        /// True when balances + pool + burned equal everything issued and minted, to the unit.
        public var holds: Bool
        /// The equation with its numbers.
        public var detail: String
        /// Memberwise initializer.
        public init(asset: String, holds: Bool, detail: String) {
            self.asset = asset
            self.holds = holds
            self.detail = detail
        }
    }
}
