public import FerryChains
import FerryCore
public import FerryCrypto

extension EVMAdapter {
    /// From the receipt: `.pending` while the node has the transaction without a receipt, `.dropped` when it
    /// knows neither, and for a reverted transaction `included(succeeded: false, reason:)` with the revert
    /// reason, found by replaying the call (`eth_call`) on the state before its block ("out of gas" when it
    /// used its whole gas limit). On a chain with several transactions per block the replay does not see
    /// earlier transactions of the same block, so the reason is the best available, not a proof.
    public func transaction(_ id: TxID) async throws(ChainError) -> TxStatus {
        let receipt = try await rpc { () async throws(RPCError) -> EVMReceipt? in try await client.receipt(id.hash) }
        guard let receipt else {
            let known = try await rpc { () async throws(RPCError) -> JSONValue? in try await client.transaction(id.hash) }
            return known == nil ? .dropped : .pending
        }
        if receipt.succeeded { return .included(height: receipt.blockNumber, succeeded: true, reason: nil) }
        return .included(height: receipt.blockNumber, succeeded: false, reason: await revertReason(receipt))
    }

    func revertReason(_ receipt: EVMReceipt) async -> String {
        let method = "eth_getTransactionByHash"
        guard let tx = try? await client.transaction(receipt.transactionHash),
              let from = try? tx.field("from", method: method).address(method: method, field: "from"),
              let to = try? tx.field("to", method: method).address(method: method, field: "to"),
              let input = try? tx.field("input", method: method).data(method: method, field: "input")
        else { return "reverted (the transaction could not be read back to find the reason)" }
        let value = (try? tx.field("value", method: method).amount(method: method, field: "value")) ?? .zero
        if let gas = try? tx.field("gas", method: method).quantity(method: method, field: "gas"), receipt.gasUsed >= gas {
            return "out of gas (used all \(gas))"
        }
        let before: BlockTag = receipt.blockNumber > 0 ? .number(receipt.blockNumber - 1) : .earliest
        do {
            _ = try await client.call(EVMCall(from: from, to: to, value: value, data: input), at: before)
            return "reverted (the call succeeds when replayed on the state before its block)"
        } catch {
            if case let .node(_, _, message, _, revert) = error {
                if let revert { return revert.description }
                return message
            }
            return "reverted (replaying it failed: \(error))"
        }
    }

    /// The gateway's `status(messageId)`, with the height (and for locks the transfer) taken from the event
    /// that set it, searched backwards from the head over ``Configuration/stateLookbackBlocks``.
    /// - Throws: `.unknown` when the status is set but its event lies beyond the lookback.
    public func gatewayState(of messageId: Bytes32) async throws(ChainError) -> GatewayRecord {
        let data = try await rpc { () async throws(RPCError) -> [UInt8] in
            try await client.call(EVMCall(to: info.gateway, data: GatewayABI.status(messageId)))
        }
        let status: GatewayStatus
        do { status = try GatewayABI.decodeStatus(data) } catch {
            throw .unreachable(info.id, underlying: "status(\(messageId)) returned malformed data: \(error)")
        }
        let topic: Bytes32
        switch status {
        case .unseen: return GatewayRecord.none
        case .locked: topic = GatewayABI.lockedTopic
        case .refunded: topic = GatewayABI.refundedTopic
        case .released: topic = GatewayABI.releasedTopic
        case .cancelled: topic = GatewayABI.cancelledTopic
        }
        guard let log = try await findLog(topic: topic, messageId: messageId) else {
            throw .unknown(info.id, what: "the event that made \(messageId) \(status) within the last \(configuration.stateLookbackBlocks) blocks")
        }
        switch status {
        case .unseen: return GatewayRecord.none
        case .locked:
            guard case let .locked(transfer)? = try? GatewayABI.decodeEvent(topics: log.topics, data: log.data) else {
                throw .unreachable(info.id, underlying: "malformed Locked event for \(messageId) at block \(log.blockNumber)")
            }
            return .locked(transfer, height: log.blockNumber)
        case .refunded: return .refunded(height: log.blockNumber)
        case .released: return .released(height: log.blockNumber)
        case .cancelled: return .cancelled(height: log.blockNumber)
        }
    }

    /// The newest gateway log with `topic` and `messageId`, scanning back from the head in bounded ranges (logs
    /// from other addresses, with other topics, or flagged `removed` are ignored whatever the node's filter did).
    func findLog(topic: Bytes32, messageId: Bytes32) async throws(ChainError) -> EVMLog? {
        var high = try await rpc { () async throws(RPCError) -> UInt64 in try await client.blockNumber() }
        let floor = high > configuration.stateLookbackBlocks ? high - configuration.stateLookbackBlocks : 0
        while true {
            let low = max(floor, high >= configuration.maxLogRange ? high - configuration.maxLogRange + 1 : 0)
            let logs = try await rpc { [high] () async throws(RPCError) -> [EVMLog] in
                try await client.logs(address: info.gateway, from: low, to: high, topic0: [topic], topic1: messageId)
            }
            // Only the gateway's own logs: a node that ignores the address filter must not lend another
            // contract's event the gateway's authority.
            if let last = logs.last(where: { !$0.removed && $0.address == info.gateway && $0.topics.first == topic
                && $0.topics.dropFirst().first == messageId }) { return last }
            guard low > floor else { return nil }
            high = low - 1
        }
    }
}
