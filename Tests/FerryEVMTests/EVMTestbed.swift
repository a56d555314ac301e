import FerryTestSupport
import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing

@testable import FerryEVM

/// One `evm_node.py` with Ferry's gateway and a test token deployed and configured for a remote chain:
/// relayers are five deterministic keys at threshold 3, the native and token lanes from the remote chain
/// are open, and the gateway holds liquidity of both.
///
/// The owner (dev account 0x..01) deploys the gateway with its first transaction, so the gateway address is
/// the same on every node: each testbed registers that address as its remote's gateway.
struct EVMTestbed: Sendable {
    let node: DevNode
    let remoteChain: ChainID
    let client: JSONRPCClient
    let nonces: NonceManager
    let owner: PrivateKeySigner
    let gateway: EthereumAddress
    let token: EthereumAddress

    static let relayers: [PrivateKeySigner] = (0..<5).compactMap { try? PrivateKeySigner(seed: 0xFE_77, index: UInt64($0)) }
    static let threshold: UInt64 = 3
    static let ether = Amount(1_000_000_000_000_000_000)
    static let tokenDecimals = 6

    static func artifact(_ name: String) throws -> [UInt8] {
        let url = PythonVectors.packageRoot.appendingPathComponent("chains/contracts/build/\(name).json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try Hex.decode(try #require(json["bytecode"] as? String))
    }

    /// Starts a node (on `port` if given) and deploys and configures the contracts.
    static func start(chainId: UInt64, remoteChain: UInt64, port: Int = 0) async throws -> EVMTestbed {
        let node = try DevNode(chainId: chainId, port: port)
        let client = JSONRPCClient(endpoint: node.url)
        let nonces = NonceManager(client: client)
        let owner = try PrivateKeySigner(PrivateKey(hex: "0x" + String(repeating: "0", count: 63) + "1"))
        let ctor = ABI.encode([.array(relayers.map { .address($0.address) }), .uint64(threshold)])
        var bed = EVMTestbed(node: node, remoteChain: ChainID(remoteChain), client: client, nonces: nonces, owner: owner,
                             gateway: owner.address, token: owner.address)
        let gatewayReceipt = try await bed.send(from: owner, to: nil, data: try artifact("FerryGateway") + ctor)
        let gateway = try #require(gatewayReceipt.contractAddress)
        let tokenCtor = ABI.encode([.string("Test USD"), .string("TUSD"), .uint64(UInt64(tokenDecimals))])
        let token = try #require(try await bed.send(from: owner, to: nil, data: try artifact("TestToken") + tokenCtor).contractAddress)
        bed = EVMTestbed(node: node, remoteChain: ChainID(remoteChain), client: client, nonces: nonces, owner: owner,
                         gateway: gateway, token: token)
        let sig = GatewayABI.functionSignatures
        _ = try await bed.send(from: owner, to: gateway, data: ABI.call(sig["setDestinationGateway"] ?? "", [.uint64(remoteChain), .address(gateway)]))
        for (asset, decimals) in [(Bytes32.zero, 18), (token.bytes32, tokenDecimals)] {
            _ = try await bed.send(from: owner, to: gateway, data: ABI.call(sig["setLaneLimit"] ?? "",
                                                                            [.uint64(remoteChain), .bytes32(asset), .uint(try ether * Amount(1_000)), .uint(ether)]))
            // Both nodes deploy the token at the same address: each asset pairs with itself on the remote chain.
            _ = try await bed.send(from: owner, to: gateway, data: GatewayABI.setAssetPair(
                remoteChain: ChainID(remoteChain), localAsset: asset, remoteAsset: asset, localDecimals: decimals, remoteDecimals: decimals))
        }
        _ = try await bed.send(from: owner, to: gateway, value: try ether * Amount(1_000))
        try await bed.mint(to: gateway, amount: Amount(1_000_000_000_000))
        return bed
    }

    /// The chain entry an adapter for this node uses.
    func info(finalityDepth: UInt64 = 3) -> ChainInfo {
        let eth = AssetInfo(symbol: "ETH", decimals: 18, gatewayID: .zero)
        let tusd = AssetInfo(symbol: "TUSD", decimals: Self.tokenDecimals, gatewayID: token.bytes32)
        return ChainInfo(id: ChainID(node.chainId), name: "evm-local-\(node.chainId)", family: .evm, nativeAsset: eth,
                         assets: [eth, tusd], finalityDepth: finalityDepth, blockTimeMillis: 1_000, gateway: gateway)
    }

    func adapterConfiguration(preflight: Bool = true) -> EVMAdapter.Configuration {
        EVMAdapter.Configuration(rpcURL: node.url, rpc: .init(timeout: .seconds(15), retry: .init(maxAttempts: 3, initialBackoff: .milliseconds(50))),
                                 pollInterval: .milliseconds(50), preflight: preflight)
    }

    func adapter(finalityDepth: UInt64 = 3, preflight: Bool = true) async throws -> EVMAdapter {
        try await EVMAdapter.connect(info: info(finalityDepth: finalityDepth), configuration: adapterConfiguration(preflight: preflight))
    }

    /// Sends a transaction from `signer` and returns its receipt (the node mines each transaction at once).
    @discardableResult
    func send(from signer: any TransactionSigner, to: EthereumAddress?, value: Amount = .zero, data: [UInt8] = []) async throws -> EVMReceipt {
        let chainId = node.chainId
        let client = self.client
        let hash = try await nonces.withNextNonce(for: signer.address) { nonce in
            let tx = EIP1559Transaction(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: Amount(1_000_000_000),
                                        maxFeePerGas: Amount(50_000_000_000), gasLimit: 6_000_000, to: to, value: value, data: data)
            let signed = tx.signed(with: try TransactionSignature(try signer.sign(digest: tx.signingHash)))
            return try await client.sendRawTransaction(signed.rawBytes)
        }
        let receipt = try #require(try await client.receipt(hash))
        #expect(receipt.succeeded, "transaction \(hash) to \(to?.description ?? "(deploy)") reverted")
        return receipt
    }

    /// Mints test tokens.
    func mint(to: EthereumAddress, amount: Amount) async throws {
        try await send(from: owner, to: token, data: ABI.call("mint(address,uint256)", [.address(to), .uint(amount)]))
    }

    /// A fresh account with `ether` ETH (and `tokens` TUSD).
    func fundedSigner(index: UInt64, ether: UInt64 = 10, tokens: Amount = .zero) async throws -> PrivateKeySigner {
        let signer = try PrivateKeySigner(seed: node.chainId &* 1_000 &+ 17, index: index)
        try await send(from: owner, to: signer.address, value: try Self.ether * Amount(ether))
        if !tokens.isZero { try await mint(to: signer.address, amount: tokens) }
        return signer
    }

    /// k `Release` or `Cancel` attestations by the first k relayers in `domain`.
    static func attest(_ attestation: FerryAttestation, in domain: EIP712Domain, count: Int = Int(threshold)) throws -> [Signature] {
        try relayers.prefix(count).map { try $0.sign(digest: attestation.digest(in: domain)) }
    }

    func rpc(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        try await client.call(method, params)
    }
}


/// Reads `stream` until `predicate` matches an event or `timeout` passes; returns everything read.
func read(_ stream: AsyncThrowingStream<GatewayEvent, any Error>, timeout: Duration = .seconds(20),
          until predicate: @escaping @Sendable ([GatewayEvent]) -> Bool) async throws -> [GatewayEvent] {
    try await withThrowingTaskGroup(of: [GatewayEvent]?.self) { group in
        group.addTask {
            var seen: [GatewayEvent] = []
            for try await event in stream {
                seen.append(event)
                if predicate(seen) { return seen }
            }
            return seen
        }
        group.addTask {
            try await Task.sleep(for: timeout)  // a bound on a broken stream, not a wait for something
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let events = first else {
            Issue.record("stream did not deliver the expected events within \(timeout)")
            return []
        }
        return events
    }
}
