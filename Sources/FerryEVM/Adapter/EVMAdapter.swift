public import AsyncHTTPClient
public import FerryChains
public import FerryCore
import FerryCrypto

/// A ``ChainAdapter`` for any EVM chain with a deployed `FerryGateway`, over Ethereum JSON-RPC.
///
/// Create one with ``connect(info:configuration:httpClient:)``, which checks that the node serves the
/// configured chain id and that the gateway has code. Reads go straight to the node; submissions build
/// EIP-1559 (type 2) transactions, sign their signing hash with the caller's ``TransactionSigner`` and take
/// nonces from a shared ``NonceManager``. Safe to use from many tasks at once. See `docs/evm.md`.
public struct EVMAdapter: ChainAdapter {
    /// Where the node is and how the adapter talks to it.
    public struct Configuration: Sendable, Hashable {
        /// The node's JSON-RPC URL.
        public var rpcURL: String
        /// Timeouts and retries of each call.
        public var rpc: JSONRPCClient.Configuration
        /// How often ``EVMAdapter/events(from:)`` polls the head when it has caught up.
        public var pollInterval: Duration
        /// Most blocks one `eth_getLogs` covers (providers commonly cap ranges at 2,000-10,000).
        public var maxLogRange: UInt64
        /// Block hashes remembered for reorg detection (bounded; reorgs deeper than this are reported from the oldest).
        public var reorgMemory: Int
        /// Gas limit = `eth_estimateGas` x this percentage / 100.
        public var gasMarginPercent: UInt64
        /// Gas assumed for one gateway call in ``EVMAdapter/feeEstimate()`` (a 3-signature release is about 120,000).
        public var referenceGas: UInt64
        /// When true (the default), a call that would revert is refused at submission with the revert reason
        /// (`eth_estimateGas` runs it first) and costs nothing. When false, it is sent with ``fallbackGasLimit``
        /// and reverts on chain (observable through ``EVMAdapter/transaction(_:)``).
        public var preflight: Bool
        /// Gas limit used when ``preflight`` is off.
        public var fallbackGasLimit: UInt64
        /// How far back ``EVMAdapter/gatewayState(of:)`` looks for the event that set a message's state.
        public var stateLookbackBlocks: UInt64
        /// Blocks of fee history read for fee quotes.
        public var feeHistoryBlocks: Int
        /// Further providers of the same chain that ``EVMAdapter/events(from:)`` asks for each range's gateway logs
        /// and its last block's hash (independent operators, so one lying or broken provider cannot feed the
        /// relayer alone).
        public var quorumURLs: [String] = []
        /// How many providers, ``rpcURL`` included, must report the same gateway logs and the same block hash
        /// for a range before its events are delivered; 1 (the default) trusts ``rpcURL`` alone. Clamped to
        /// `1...(1 + quorumURLs.count)`.
        public var quorum: Int = 1

        public init(rpcURL: String, rpc: JSONRPCClient.Configuration = JSONRPCClient.Configuration(),
                    pollInterval: Duration = .seconds(2), maxLogRange: UInt64 = 2_000, reorgMemory: Int = 256,
                    gasMarginPercent: UInt64 = 125, referenceGas: UInt64 = 120_000, preflight: Bool = true,
                    fallbackGasLimit: UInt64 = 1_000_000, stateLookbackBlocks: UInt64 = 200_000, feeHistoryBlocks: Int = 20) {
            self.rpcURL = rpcURL
            self.rpc = rpc
            self.pollInterval = pollInterval
            self.maxLogRange = max(1, maxLogRange)
            self.reorgMemory = max(8, reorgMemory)
            self.gasMarginPercent = max(100, gasMarginPercent)
            self.referenceGas = referenceGas
            self.preflight = preflight
            self.fallbackGasLimit = fallbackGasLimit
            self.stateLookbackBlocks = stateLookbackBlocks
            self.feeHistoryBlocks = feeHistoryBlocks
        }
    }

    public let info: ChainInfo

    /// The Vyper gateway takes checkpoints (`commit`, `releaseWithProof`, `releaseBatch` of at most 128).
    public var supportsCheckpoints: Bool { true }
    public let configuration: Configuration
    /// The JSON-RPC client (for callers that need a method the adapter does not wrap).
    public let client: JSONRPCClient
    /// Nonces of every account this adapter submits for.
    public let nonces: NonceManager
    /// What the event streams refused and how their polls fared.
    public let feedCounters: FeedCounters

    /// Clients of ``Configuration/quorumURLs``.
    let witnesses: [JSONRPCClient]

    init(info: ChainInfo, configuration: Configuration, client: JSONRPCClient, witnesses: [JSONRPCClient] = []) {
        self.info = info
        self.configuration = configuration
        self.client = client
        self.witnesses = witnesses
        self.nonces = NonceManager(client: client)
        self.feedCounters = FeedCounters()
    }

    /// Connects to the node and checks it before any use.
    ///
    /// - Throws: ``EVMStartupError/chainIDMismatch(configured:reported:endpoint:)`` when `eth_chainId` is not
    ///   `info.id`; ``EVMStartupError/gatewayMissing(_:gateway:endpoint:)`` when `info.gateway` has no code;
    ///   ``EVMStartupError/unavailable(_:)`` when the node cannot be asked (after the client's retries).
    public static func connect(info: ChainInfo, configuration: Configuration,
                               httpClient: HTTPClient = JSONRPCClient.sharedHTTPClient) async throws(EVMStartupError) -> EVMAdapter {
        let client = JSONRPCClient(endpoint: configuration.rpcURL, configuration: configuration.rpc, httpClient: httpClient)
        let witnesses = configuration.quorumURLs.map { JSONRPCClient(endpoint: $0, configuration: configuration.rpc, httpClient: httpClient) }
        let code: [UInt8]
        do {
            for provider in [client] + witnesses {
                let reported = try await provider.chainID()
                guard reported == info.id.rawValue else {
                    throw EVMStartupError.chainIDMismatch(configured: info.id, reported: reported, endpoint: provider.endpoint)
                }
            }
            code = try await client.code(at: info.gateway)
        } catch let error as EVMStartupError {
            throw error
        } catch let error as RPCError {
            throw .unavailable(error.chainError(info.id))
        } catch {
            throw .unavailable(.unreachable(info.id, underlying: "\(error)"))
        }
        guard !code.isEmpty else { throw .gatewayMissing(info.id, gateway: info.gateway, endpoint: configuration.rpcURL) }
        return EVMAdapter(info: info, configuration: configuration, client: client, witnesses: witnesses)
    }

    /// Runs `body`, turning ``RPCError`` into ``ChainError`` for this chain.
    func rpc<T>(_ body: () async throws(RPCError) -> T) async throws(ChainError) -> T {
        do { return try await body() } catch { throw error.chainError(info.id) }
    }

    // MARK: Reads

    /// The latest block, asked in one batch with `eth_chainId`: a node that has started serving another chain
    /// since ``connect(info:configuration:httpClient:)`` is refused with `.unreachable`.
    public func head() async throws(ChainError) -> BlockRef {
        Self.ref(try await checkedHead())
    }

    /// The head's height minus ``ChainInfo/finalityDepth`` (the head read as ``head()`` reads it, chain id checked).
    public func finalizedHeight() async throws(ChainError) -> UInt64 {
        let head = try await checkedHead().number
        return head > info.finalityDepth ? head - info.finalityDepth : 0
    }

    /// The latest header, with the node's chain id checked in the same batch.
    func checkedHead() async throws(ChainError) -> EVMBlockHeader {
        let answers = try await rpc { () async throws(RPCError) -> [Result<JSONValue, RPCError>] in
            try await client.batch([RPCRequest("eth_chainId"), RPCRequest("eth_getBlockByNumber", ["latest", false])])
        }
        let block = try await rpc { () async throws(RPCError) -> EVMBlockHeader? in
            let reported = try answers[0].get().quantity(method: "eth_chainId", field: "result")
            guard reported == info.id.rawValue else {
                throw .malformed(method: "eth_chainId", field: "result",
                                 reason: "the node now serves chain id \(reported), not \(info.id.rawValue); its answers are refused")
            }
            let json = try answers[1].get()
            return json.isNull ? nil : try EVMBlockHeader(json: json, method: "eth_getBlockByNumber")
        }
        guard let block else { throw .unreachable(info.id, underlying: "the node has no latest block") }
        return block
    }

    public func balance(of account: Address, asset: String) async throws(ChainError) -> Amount {
        guard let assetInfo = info.asset(asset) else { throw .unknown(info.id, what: "asset \(asset)") }
        let owner = try evmAddress(account)
        if assetInfo.gatewayID.isZero {
            return try await rpc { () async throws(RPCError) -> Amount in try await client.balance(of: owner) }
        }
        let token = try evmAddress(Address(assetInfo.gatewayID))
        let data = try await rpc { () async throws(RPCError) -> [UInt8] in
            try await client.call(EVMCall(to: token, data: GatewayABI.balanceOf(owner)))
        }
        do { return try GatewayABI.decodeUInt(data) } catch {
            throw .unreachable(info.id, underlying: "balanceOf(\(owner)) on token \(token) returned malformed data: \(error)")
        }
    }

    public func feeEstimate() async throws(ChainError) -> FeeEstimate {
        let quote = try await feeQuote()
        let head = try await head()
        do {
            let gas = configuration.referenceGas
            return FeeEstimate(low: try quote.expectedCost(gas: gas, priority: .low),
                               median: try quote.expectedCost(gas: gas, priority: .median),
                               high: try quote.expectedCost(gas: gas, priority: .high),
                               detail: "base \(quote.baseFee) wei + tip \(quote.tip(.low))/\(quote.tip(.median))/\(quote.tip(.high)) wei "
                                   + "per gas, \(gas) gas; max fee 2 x base + tip",
                               takenAtMillis: head.timestampMillis)
        } catch {
            throw .unreachable(info.id, underlying: "fee market values overflow 256 bits: \(error)")
        }
    }

    /// The fee market now (see ``EVMFeeQuote``).
    public func feeQuote() async throws(ChainError) -> EVMFeeQuote {
        try await rpc { () async throws(RPCError) -> EVMFeeQuote in
            try await EVMFeeQuote.fetch(from: client, blocks: configuration.feeHistoryBlocks)
        }
    }

    public func relayerSet() async throws(ChainError) -> RelayerSet {
        let gateway = info.gateway
        let answers = try await rpc { () async throws(RPCError) -> [Result<JSONValue, RPCError>] in
            try await client.batch([
                RPCRequest("eth_call", [EVMCall(to: gateway, data: GatewayABI.call("getRelayers")).json, "latest"]),
                RPCRequest("eth_call", [EVMCall(to: gateway, data: GatewayABI.call("threshold")).json, "latest"]),
            ])
        }
        do {
            let members = try GatewayABI.decodeRelayers(try answers[0].get().data(method: "eth_call", field: "getRelayers()"))
            let threshold = try GatewayABI.decodeUInt(try answers[1].get().data(method: "eth_call", field: "threshold()"))
            guard let k = threshold.uint64, k >= 1, k <= UInt64(members.count) else {
                throw ChainError.unreachable(info.id, underlying: "gateway threshold \(threshold) is outside 1...\(members.count)")
            }
            return RelayerSet(members: members, threshold: Int(k))
        } catch let error as RPCError {
            throw error.chainError(info.id)
        } catch let error as ChainError {
            throw error
        } catch {
            throw .unreachable(info.id, underlying: "gateway relayer views returned malformed data: \(error)")
        }
    }

    // MARK: Helpers

    static func ref(_ block: EVMBlockHeader) -> BlockRef {
        BlockRef(height: block.number, hash: block.hash, timestampMillis: block.timestamp &* 1000)
    }

    func evmAddress(_ account: Address) throws(ChainError) -> EthereumAddress {
        guard account.isEVMShaped, let address = try? EthereumAddress(bytes: account.bytes32.bytes.suffix(20)) else {
            throw .unknown(info.id, what: "account \(account), which is not a 20-byte EVM address left-padded to 32 bytes")
        }
        return address
    }
}

extension EVMAdapter {
    /// Connects to the chain a registry entry describes (`adapter = "evm-rpc"`): its `rpc_url` (and quorum
    /// providers), gateway, assets and finality depth; `tuning` supplies everything else (its `rpcURL`,
    /// `quorumURLs` and `quorum` are replaced).
    /// - Throws: ``EVMStartupError/unavailable(_:)`` with `.unknown` when the entry has no `rpc_url`,
    ///   and every start-up check of ``connect(info:configuration:httpClient:)``.
    public static func connect(entry: ChainEntry, tuning: Configuration = Configuration(rpcURL: ""),
                               httpClient: HTTPClient = JSONRPCClient.sharedHTTPClient) async throws(EVMStartupError) -> EVMAdapter {
        guard let url = entry.rpcURL else {
            throw .unavailable(.unknown(entry.info.id, what: "an rpc_url in \(entry.source)"))
        }
        var configuration = tuning
        configuration.rpcURL = url
        configuration.quorumURLs = entry.rpcQuorumURLs
        configuration.quorum = entry.rpcQuorum
        return try await connect(info: entry.info, configuration: configuration, httpClient: httpClient)
    }
}
