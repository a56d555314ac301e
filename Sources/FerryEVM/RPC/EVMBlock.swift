public import FerryCore
public import FerryCrypto

/// The header fields of an `eth_getBlockBy*` answer Ferry uses.
public struct EVMBlockHeader: Sendable, Hashable {
    public let number: UInt64
    public let hash: Bytes32
    public let parentHash: Bytes32
    /// Unix seconds.
    public let timestamp: UInt64
    /// EIP-1559 base fee of this block; nil before London.
    public let baseFeePerGas: Amount?

    public init(number: UInt64, hash: Bytes32, parentHash: Bytes32, timestamp: UInt64, baseFeePerGas: Amount?) {
        self.number = number
        self.hash = hash
        self.parentHash = parentHash
        self.timestamp = timestamp
        self.baseFeePerGas = baseFeePerGas
    }

    /// Reads a block object strictly.
    public init(json: JSONValue, method: String) throws(RPCError) {
        number = try json.field("number", method: method).quantity(method: method, field: "number")
        hash = try json.field("hash", method: method).bytes32(method: method, field: "hash")
        parentHash = try json.field("parentHash", method: method).bytes32(method: method, field: "parentHash")
        timestamp = try json.field("timestamp", method: method).quantity(method: method, field: "timestamp")
        if let fee = json["baseFeePerGas"], !fee.isNull {
            baseFeePerGas = try fee.amount(method: method, field: "baseFeePerGas")
        } else {
            baseFeePerGas = nil
        }
    }
}

/// One log of a receipt or of `eth_getLogs`.
public struct EVMLog: Sendable, Hashable {
    public let address: EthereumAddress
    public let topics: [Bytes32]
    public let data: [UInt8]
    public let blockNumber: UInt64
    public let blockHash: Bytes32
    public let transactionHash: Bytes32
    public let logIndex: UInt64
    /// True when a node reports the log as removed by a reorg.
    public let removed: Bool

    /// Reads a log object strictly; `path` prefixes field names in errors ("logs[3]").
    public init(json: JSONValue, method: String, path: String = "log") throws(RPCError) {
        func f(_ k: String) throws(RPCError) -> JSONValue { try json.field(k, method: method, path: path) }
        address = try f("address").address(method: method, field: "\(path).address")
        let rawTopics = try f("topics").array(method: method, field: "\(path).topics")
        var topics: [Bytes32] = []
        for (i, t) in rawTopics.enumerated() { topics.append(try t.bytes32(method: method, field: "\(path).topics[\(i)]")) }
        self.topics = topics
        data = try f("data").data(method: method, field: "\(path).data")
        blockNumber = try f("blockNumber").quantity(method: method, field: "\(path).blockNumber")
        blockHash = try f("blockHash").bytes32(method: method, field: "\(path).blockHash")
        transactionHash = try f("transactionHash").bytes32(method: method, field: "\(path).transactionHash")
        logIndex = try f("logIndex").quantity(method: method, field: "\(path).logIndex")
        if case let .bool(b)? = json["removed"] { removed = b } else { removed = false }
    }
}

/// The fields of a transaction receipt Ferry uses.
public struct EVMReceipt: Sendable, Hashable {
    public let transactionHash: Bytes32
    public let blockNumber: UInt64
    public let blockHash: Bytes32
    /// True for status `0x1`.
    public let succeeded: Bool
    public let gasUsed: UInt64
    public let logs: [EVMLog]
    public let contractAddress: EthereumAddress?

    /// Reads a receipt strictly.
    public init(json: JSONValue, method: String) throws(RPCError) {
        transactionHash = try json.field("transactionHash", method: method).bytes32(method: method, field: "transactionHash")
        blockNumber = try json.field("blockNumber", method: method).quantity(method: method, field: "blockNumber")
        blockHash = try json.field("blockHash", method: method).bytes32(method: method, field: "blockHash")
        let status = try json.field("status", method: method).quantity(method: method, field: "status")
        guard status <= 1 else { throw .malformed(method: method, field: "status", reason: "expected 0x0 or 0x1, got \(status)") }
        succeeded = status == 1
        gasUsed = try json.field("gasUsed", method: method).quantity(method: method, field: "gasUsed")
        var logs: [EVMLog] = []
        for (i, l) in try json.field("logs", method: method).array(method: method, field: "logs").enumerated() {
            logs.append(try EVMLog(json: l, method: method, path: "logs[\(i)]"))
        }
        self.logs = logs
        if let c = json["contractAddress"], !c.isNull {
            contractAddress = try c.address(method: method, field: "contractAddress")
        } else {
            contractAddress = nil
        }
    }
}

/// An `eth_feeHistory` answer.
public struct EVMFeeHistory: Sendable, Hashable {
    public let oldestBlock: UInt64
    /// One per block, plus the next block's base fee last.
    public let baseFeePerGas: [Amount]
    /// Per block, the priority fee at each requested percentile.
    public let reward: [[Amount]]

    /// Reads a fee history strictly.
    public init(json: JSONValue, method: String) throws(RPCError) {
        oldestBlock = try json.field("oldestBlock", method: method).quantity(method: method, field: "oldestBlock")
        var base: [Amount] = []
        for (i, v) in try json.field("baseFeePerGas", method: method).array(method: method, field: "baseFeePerGas").enumerated() {
            base.append(try v.amount(method: method, field: "baseFeePerGas[\(i)]"))
        }
        guard !base.isEmpty else { throw .malformed(method: method, field: "baseFeePerGas", reason: "empty") }
        baseFeePerGas = base
        var rewards: [[Amount]] = []
        if let r = json["reward"], !r.isNull {
            for (i, row) in try r.array(method: method, field: "reward").enumerated() {
                var out: [Amount] = []
                for (j, v) in try row.array(method: method, field: "reward[\(i)]").enumerated() {
                    out.append(try v.amount(method: method, field: "reward[\(i)][\(j)]"))
                }
                rewards.append(out)
            }
        }
        reward = rewards
    }
}
