public import FerryCore
public import FerryCrypto

/// A block selector for reads: a number or a tag.
public enum BlockTag: Sendable, Hashable {
    case latest, pending, earliest
    case number(UInt64)

    var json: JSONValue {
        switch self {
        case .latest: "latest"
        case .pending: "pending"
        case .earliest: "earliest"
        case let .number(n): .string(HexQuantity.encode(n))
        }
    }
}

/// A call or transaction shape for `eth_call` / `eth_estimateGas`.
public struct EVMCall: Sendable, Hashable {
    public var from: EthereumAddress?
    public var to: EthereumAddress
    public var value: Amount
    public var data: [UInt8]

    public init(from: EthereumAddress? = nil, to: EthereumAddress, value: Amount = .zero, data: [UInt8]) {
        self.from = from
        self.to = to
        self.value = value
        self.data = data
    }

    var json: JSONValue {
        var o: [String: JSONValue] = ["to": .string(to.lowercaseHex), "data": .string(Hex.prefixed(data))]
        if let from { o["from"] = .string(from.lowercaseHex) }
        if !value.isZero { o["value"] = .string(HexQuantity.encode(value)) }
        return .object(o)
    }
}

/// Typed Ethereum methods over ``JSONRPCClient``; every answer is decoded strictly.
extension JSONRPCClient {
    /// `eth_chainId`.
    public func chainID() async throws(RPCError) -> UInt64 {
        try await call("eth_chainId").quantity(method: "eth_chainId", field: "result")
    }

    /// `eth_blockNumber`.
    public func blockNumber() async throws(RPCError) -> UInt64 {
        try await call("eth_blockNumber").quantity(method: "eth_blockNumber", field: "result")
    }

    /// `eth_getBlockByNumber(tag, false)`; nil when the node has no such block.
    public func block(_ tag: BlockTag) async throws(RPCError) -> EVMBlockHeader? {
        let result = try await call("eth_getBlockByNumber", [tag.json, false])
        return result.isNull ? nil : try EVMBlockHeader(json: result, method: "eth_getBlockByNumber")
    }

    /// `eth_getBlockByHash(hash, false)`; nil when unknown.
    public func block(hash: Bytes32) async throws(RPCError) -> EVMBlockHeader? {
        let result = try await call("eth_getBlockByHash", [.string(hash.hex), false])
        return result.isNull ? nil : try EVMBlockHeader(json: result, method: "eth_getBlockByHash")
    }

    /// Headers of `numbers` in one batch; a missing block is nil.
    public func blocks(_ numbers: [UInt64]) async throws(RPCError) -> [EVMBlockHeader?] {
        let answers = try await batch(numbers.map { RPCRequest("eth_getBlockByNumber", [.string(HexQuantity.encode($0)), false]) })
        var out: [EVMBlockHeader?] = []
        for answer in answers {
            let json = try answer.get()
            out.append(json.isNull ? nil : try EVMBlockHeader(json: json, method: "eth_getBlockByNumber"))
        }
        return out
    }

    /// `eth_getBalance`, in wei.
    public func balance(of address: EthereumAddress, at tag: BlockTag = .latest) async throws(RPCError) -> Amount {
        try await call("eth_getBalance", [.string(address.lowercaseHex), tag.json]).amount(method: "eth_getBalance", field: "result")
    }

    /// `eth_getTransactionCount`: with `.pending`, the next nonce the node expects, counting its mempool.
    public func transactionCount(of address: EthereumAddress, at tag: BlockTag = .pending) async throws(RPCError) -> UInt64 {
        try await call("eth_getTransactionCount", [.string(address.lowercaseHex), tag.json])
            .quantity(method: "eth_getTransactionCount", field: "result")
    }

    /// `eth_getCode`.
    public func code(at address: EthereumAddress, tag: BlockTag = .latest) async throws(RPCError) -> [UInt8] {
        try await call("eth_getCode", [.string(address.lowercaseHex), tag.json]).data(method: "eth_getCode", field: "result")
    }

    /// `eth_call`: the return data. A revert throws ``RPCError/node(method:code:message:data:revert:)`` with the reason.
    public func call(_ call: EVMCall, at tag: BlockTag = .latest) async throws(RPCError) -> [UInt8] {
        try await self.call("eth_call", [call.json, tag.json]).data(method: "eth_call", field: "result")
    }

    /// `eth_estimateGas`.
    public func estimateGas(_ call: EVMCall, at tag: BlockTag? = nil) async throws(RPCError) -> UInt64 {
        var params: [JSONValue] = [call.json]
        if let tag { params.append(tag.json) }
        return try await self.call("eth_estimateGas", params).quantity(method: "eth_estimateGas", field: "result")
    }

    /// `eth_sendRawTransaction`: the hash the node assigned.
    public func sendRawTransaction(_ raw: [UInt8]) async throws(RPCError) -> Bytes32 {
        try await call("eth_sendRawTransaction", [.string(Hex.prefixed(raw))]).bytes32(method: "eth_sendRawTransaction", field: "result")
    }

    /// `eth_getTransactionReceipt`; nil while pending or unknown.
    public func receipt(_ hash: Bytes32) async throws(RPCError) -> EVMReceipt? {
        let result = try await call("eth_getTransactionReceipt", [.string(hash.hex)])
        return result.isNull ? nil : try EVMReceipt(json: result, method: "eth_getTransactionReceipt")
    }

    /// `eth_getTransactionByHash`, raw; nil when the node does not know it.
    public func transaction(_ hash: Bytes32) async throws(RPCError) -> JSONValue? {
        let result = try await call("eth_getTransactionByHash", [.string(hash.hex)])
        return result.isNull ? nil : result
    }

    /// `eth_getLogs` for `address` over `from...to`, optionally filtered by topic0 alternatives and topic1.
    public func logs(address: EthereumAddress, from: UInt64, to: UInt64, topic0: [Bytes32] = [],
                     topic1: Bytes32? = nil) async throws(RPCError) -> [EVMLog] {
        try Self.decodeLogs(try await call("eth_getLogs", [Self.logFilter(address: address, from: from, to: to,
                                                                         topic0: topic0, topic1: topic1)]))
    }

    static func logFilter(address: EthereumAddress, from: UInt64, to: UInt64, topic0: [Bytes32], topic1: Bytes32?) -> JSONValue {
        var topics: [JSONValue] = []
        if !topic0.isEmpty || topic1 != nil { topics.append(topic0.isEmpty ? .null : .array(topic0.map { .string($0.hex) })) }
        if let topic1 { topics.append(.string(topic1.hex)) }
        var filter: [String: JSONValue] = ["address": .string(address.lowercaseHex), "fromBlock": .string(HexQuantity.encode(from)),
                                           "toBlock": .string(HexQuantity.encode(to))]
        if !topics.isEmpty { filter["topics"] = .array(topics) }
        return .object(filter)
    }

    static func decodeLogs(_ result: JSONValue) throws(RPCError) -> [EVMLog] {
        var out: [EVMLog] = []
        for (i, l) in try result.array(method: "eth_getLogs", field: "result").enumerated() {
            out.append(try EVMLog(json: l, method: "eth_getLogs", path: "result[\(i)]"))
        }
        return out
    }

    /// `eth_feeHistory(blocks, newest, percentiles)`.
    public func feeHistory(blocks: Int, newest: BlockTag = .latest, percentiles: [Double]) async throws(RPCError) -> EVMFeeHistory {
        let result = try await call("eth_feeHistory", [.string(HexQuantity.encode(UInt64(max(1, blocks)))), newest.json,
                                                      .array(percentiles.map { .double($0) })])
        return try EVMFeeHistory(json: result, method: "eth_feeHistory")
    }
}
