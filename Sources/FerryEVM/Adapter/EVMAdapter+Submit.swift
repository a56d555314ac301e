public import FerryChains
import FerryCore
import FerryCrypto

extension EVMAdapter {
    /// Builds, signs and sends the transaction for `call`; returns once the node accepted it.
    ///
    /// - `lock` takes what the gateway's `quoteLock` says (the amount converted by the lane's registered asset
    ///   pair, rounded up, plus the fee in source units): of the native asset as value; of an ERC-20 it first
    ///   sends `approve(gateway, total)` when the allowance is short (two transactions, consecutive nonces).
    ///   A lock of an unregistered pair is refused here ("ferry: asset pair not registered").
    /// - `cancel` is sent with a fixed gas limit (``cancelGasLimit(signatures:)``), never estimated: an
    ///   `eth_estimateGas` would hand the k `Cancel` signatures to the node before the transaction does.
    /// - `refund` carries `Refund` signatures made in this gateway's own domain.
    /// - `release`/`cancel`/`refund` signatures are put in the order the gateway demands (strictly increasing
    ///   signer address, recovered from the attestation digest); signatures that recover to nothing keep
    ///   their place at the end, for the gateway to refuse.
    /// - With ``Configuration/preflight`` on, a call that would revert is refused here as
    ///   `.rejected(reason:)` with the gateway's reason ("ferry: already released") and costs nothing.
    /// - The Vyper gateway has no multi-hop routes: a lock or release of a forwarding hop (``TransferRoute``) is
    ///   refused before anything is sent, so no value is ever paid to ``Address/forward``.
    /// - Throws: `.insufficientFunds` when the signer cannot pay value plus `gasLimit * maxFeePerGas`
    ///   (or holds too little of a locked token); `.rejected` for refusals; `.unreachable`/`.timeout`.
    public func submit(_ call: GatewayCall, signer: any TransactionSigner, priority: FeePriority) async throws(ChainError) -> TxID {
        if call.transfer?.forwards == true || !call.onward.isEmpty, call.kind == .lock || call.kind == .release {
            throw .rejected(info.id, reason: "this gateway does not forward multi-hop routes; lock or release single-hop transfers only")
        }
        let quote = try await feeQuote()
        let gateway = info.gateway
        switch call {
        case let .lock(t, _):
            let total = try await lockTotal(t)
            if t.sourceAsset.isZero {
                let data = GatewayABI.lock(destChain: t.destChain, receiver: t.receiver, sourceAsset: t.sourceAsset, destAsset: t.destAsset,
                                           amount: t.amount, fee: t.fee, deadline: t.deadline, payloadHash: t.payloadHash)
                return try await send(EVMCall(from: signer.address, to: gateway, value: total, data: data), signer: signer,
                                      priority: priority, quote: quote)
            }
            let token = try evmAddress(Address(t.sourceAsset))
            try await ensureTokenBalance(token: token, owner: signer.address, needed: total, assetID: t.sourceAsset)
            let allowance = try await rpc { () async throws(RPCError) -> [UInt8] in
                try await client.call(EVMCall(to: token, data: ABI.call("allowance(address,address)",
                                                                         [.address(signer.address), .address(gateway)])))
            }
            if (try? GatewayABI.decodeUInt(allowance)) ?? .zero < total {
                _ = try await send(EVMCall(from: signer.address, to: token, data: GatewayABI.approve(gateway, amount: total)),
                                   signer: signer, priority: priority, quote: quote)
            }
            let data = GatewayABI.lock(destChain: t.destChain, receiver: t.receiver, sourceAsset: t.sourceAsset, destAsset: t.destAsset,
                                       amount: t.amount, fee: t.fee, deadline: t.deadline, payloadHash: t.payloadHash)
            return try await send(EVMCall(from: signer.address, to: gateway, data: data), signer: signer, priority: priority,
                                  quote: quote, estimateAt: .pending)
        case let .release(t, signatures, _):
            let digest = FerryAttestation.release(messageId: t.messageId).digest(in: info.attestationDomain)
            let data = GatewayABI.release(t, signatures: Self.ordered(signatures, digest: digest))
            return try await send(EVMCall(from: signer.address, to: gateway, data: data), signer: signer, priority: priority, quote: quote)
        case let .cancel(t, signatures):
            let digest = FerryAttestation.cancel(messageId: t.messageId).digest(in: info.attestationDomain)
            let data = GatewayABI.cancel(t, signatures: Self.ordered(signatures, digest: digest))
            return try await send(EVMCall(from: signer.address, to: gateway, data: data), signer: signer, priority: priority, quote: quote,
                                  fixedGasLimit: Self.cancelGasLimit(signatures: signatures.count))
        case let .refund(t, signatures):
            let digest = FerryAttestation.refund(messageId: t.messageId).digest(in: info.attestationDomain)
            let data = GatewayABI.refund(t, signatures: Self.ordered(signatures, digest: digest))
            return try await send(EVMCall(from: signer.address, to: gateway, data: data), signer: signer, priority: priority, quote: quote)
        case let .commit(checkpoint, signatures):
            let data = GatewayABI.commit(checkpoint, signatures: Self.ordered(signatures, digest: checkpoint.digest(in: info.attestationDomain)))
            return try await send(EVMCall(from: signer.address, to: gateway, data: data), signer: signer, priority: priority, quote: quote)
        case let .releaseBatch(root, transfers, proofs):
            guard transfers.count <= GatewayABI.maxBatch else {
                throw .rejected(info.id, reason: "the Vyper gateway releases at most \(GatewayABI.maxBatch) transfers per batch, got \(transfers.count)")
            }
            let data = if transfers.count == 1, proofs.count == 1, let t = transfers.first, let proof = proofs.first {
                GatewayABI.releaseWithProof(t, root: root, proof: proof)
            } else {
                GatewayABI.releaseBatch(root: root, transfers: transfers, proofs: proofs)
            }
            return try await send(EVMCall(from: signer.address, to: gateway, data: data), signer: signer, priority: priority, quote: quote)
        }
    }

    /// The gas limit a `cancel` with `signatures` signatures is sent with, with ample room: the py-evm dev node
    /// measures 85,699 gas for five signatures (`GatewayRulesEVMTests`); a cancel's work does not depend on state.
    static func cancelGasLimit(signatures: Int) -> UInt64 {
        100_000 + 15_000 * UInt64(clamping: max(signatures, 1))
    }

    /// What the gateway takes for lock `t`: `quoteLock` (the converted amount plus fee, in source units).
    /// - Throws: `.rejected` with the gateway's reason when the pair is not registered.
    func lockTotal(_ t: Transfer) async throws(ChainError) -> Amount {
        let data = try await rpc { () async throws(RPCError) -> [UInt8] in
            try await client.call(EVMCall(to: info.gateway, data: GatewayABI.quoteLock(destChain: t.destChain, sourceAsset: t.sourceAsset,
                                                                                     amount: t.amount, fee: t.fee)))
        }
        guard let total = try? GatewayABI.decodeUInt(data) else {
            throw .unreachable(info.id, underlying: "quoteLock returned malformed data")
        }
        return total
    }

    /// The gateway's registered gateway for `chain` (zero when none).
    func destinationGateway(_ chain: ChainID) async throws(ChainError) -> EthereumAddress {
        let data = try await rpc { () async throws(RPCError) -> [UInt8] in
            try await client.call(EVMCall(to: info.gateway, data: ABI.call(GatewayABI.functionSignatures["destinationGateway"] ?? "",
                                                                           [.uint64(chain.rawValue)])))
        }
        guard let value = try? ABI.decode([.address], from: data).first?.address else {
            throw .unreachable(info.id, underlying: "destinationGateway(\(chain.rawValue)) returned malformed data")
        }
        return value
    }

    func ensureTokenBalance(token: EthereumAddress, owner: EthereumAddress, needed: Amount, assetID: Bytes32) async throws(ChainError) {
        let data = try await rpc { () async throws(RPCError) -> [UInt8] in
            try await client.call(EVMCall(to: token, data: GatewayABI.balanceOf(owner)))
        }
        let available = (try? GatewayABI.decodeUInt(data)) ?? .zero
        guard available >= needed else {
            let symbol = info.assets.first { $0.gatewayID == assetID }?.symbol ?? "token \(token)"
            throw .insufficientFunds(info.id, asset: symbol, needed: needed, available: available)
        }
    }

    /// Signatures sorted by recovered signer address; unrecoverable ones last, in their given order.
    static func ordered(_ signatures: [Signature], digest: Bytes32) -> [RelayerSignature] {
        let keyed = signatures.map { (signer: try? $0.recoverAddress(digest: digest), signature: $0) }
        let good = keyed.filter { $0.signer != nil }.sorted { ($0.signer?.bytes32 ?? .zero) < ($1.signer?.bytes32 ?? .zero) }
        let bad = keyed.filter { $0.signer == nil }
        return (good + bad).map { RelayerSignature($0.signature) }
    }

    /// Estimates gas, checks the signer can pay, takes a nonce, signs and sends one transaction.
    func send(_ call: EVMCall, signer: any TransactionSigner, priority: FeePriority, quote: EVMFeeQuote,
              estimateAt: BlockTag? = nil, fixedGasLimit: UInt64? = nil) async throws(ChainError) -> TxID {
        let from = signer.address
        let available = try await rpc { () async throws(RPCError) -> Amount in try await client.balance(of: from, at: .pending) }
        // Checked before estimating: a node cannot estimate a call whose value the sender does not have.
        guard available >= call.value else {
            throw .insufficientFunds(info.id, asset: info.nativeAsset.symbol, needed: call.value, available: available)
        }
        let gasLimit: UInt64
        if let fixedGasLimit {
            gasLimit = fixedGasLimit
        } else if configuration.preflight {
            let estimate = try await rpc { () async throws(RPCError) -> UInt64 in try await client.estimateGas(call, at: estimateAt) }
            gasLimit = estimate.multipliedReportingOverflow(by: configuration.gasMarginPercent).partialValue / 100
        } else {
            gasLimit = configuration.fallbackGasLimit
        }
        let tip = quote.tip(priority)
        let maxFee: Amount, needed: Amount
        do {
            maxFee = try quote.maxFeePerGas(priority)
            needed = try call.value + Amount(gasLimit) * maxFee
        } catch {
            throw .rejected(info.id, reason: "value plus gas cost overflows 256 bits")
        }
        guard available >= needed else {
            throw .insufficientFunds(info.id, asset: info.nativeAsset.symbol, needed: needed, available: available)
        }
        let chainID = info.id.rawValue
        let rpcClient = self.client
        do {
            let hash = try await nonces.withNextNonce(for: from) { nonce in
                let tx = EIP1559Transaction(chainId: chainID, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: maxFee,
                                            gasLimit: gasLimit, to: call.to, value: call.value, data: call.data)
                let signed = tx.signed(with: try TransactionSignature(try signer.sign(digest: tx.signingHash)))
                do {
                    _ = try await rpcClient.sendRawTransaction(signed.rawBytes)
                } catch let error as RPCError where Self.mayAlreadyBeKnown(error) {
                    // A retried send whose first attempt got through: the node knows the hash, so it is ours.
                    if (try? await rpcClient.transaction(signed.hash)) != nil { return signed.hash }
                    throw error
                }
                return signed.hash
            }
            return TxID(hash)
        } catch let error as RPCError {
            if let message = error.nodeMessage, message.contains("insufficient funds") {
                throw .insufficientFunds(info.id, asset: info.nativeAsset.symbol, needed: needed, available: available)
            }
            throw error.chainError(info.id)
        } catch {
            throw .rejected(info.id, reason: "signing failed: \(error)")
        }
    }

    static func mayAlreadyBeKnown(_ error: RPCError) -> Bool {
        guard let message = error.nodeMessage else { return false }
        return message.contains("already known") || message.contains("nonce too low") || message.contains("known transaction")
    }
}
