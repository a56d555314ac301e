import FerryTestSupport
import FerryCore
import FerryCrypto
import Foundation
import Testing

@testable import FerryEVM

/// Swift-built transactions, calldata and attestations against the real py-evm node and the compiled gateway.
@Suite("Against scripts/evm_node.py")
struct DevNodeTests {
    static let chainId: UInt64 = 4242

    struct Env {
        let node: DevNode
        let key: PrivateKey
        var nonce: UInt64 = 0

        mutating func send(to: EthereumAddress?, data: [UInt8] = [], value: Amount = .zero, legacy: Bool = false) async throws -> [String: Any] {
            let signed: SignedTransaction
            if legacy {
                signed = try LegacyTransaction(nonce: nonce, gasPrice: Amount(5_000_000_000), gasLimit: 6_000_000, to: to,
                                               value: value, data: data, chainId: node.chainId).sign(with: key)
            } else {
                signed = try EIP1559Transaction(chainId: node.chainId, nonce: nonce, maxPriorityFeePerGas: Amount(1_000_000_000),
                                                maxFeePerGas: Amount(5_000_000_000), gasLimit: 6_000_000, to: to, value: value,
                                                data: data).sign(with: key)
            }
            #expect(try signed.sender() == key.address)
            let hash = try await node.call("eth_sendRawTransaction", [Hex.prefixed(signed.rawBytes)]) as? String
            #expect(hash == signed.hash.hex)
            nonce += 1
            return try #require(try await node.call("eth_getTransactionReceipt", [signed.hash.hex]) as? [String: Any])
        }

        func call(_ to: EthereumAddress, _ data: [UInt8]) async throws -> [UInt8] {
            let out = try #require(try await node.call("eth_call", [["to": to.lowercaseHex, "data": Hex.prefixed(data)], "latest"]) as? String)
            return try Hex.decode(out)
        }
    }

    static func artifact(_ name: String) throws -> [UInt8] {
        let url = PythonVectors.packageRoot.appendingPathComponent("chains/contracts/build/\(name).json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try Hex.decode(try #require(json["bytecode"] as? String))
    }

    @Test("deploy the gateway, lock, decode Locked, release with Swift EIP-712 attestations, refuse a replay")
    func gatewayRoundTrip() async throws {
        let node = try DevNode(chainId: Self.chainId)
        defer { node.stop() }
        var env = Env(node: node, key: try PrivateKey(hex: "0x" + String(repeating: "0", count: 63) + "1"))
        let relayer = try PrivateKey(hex: "0x" + String(repeating: "7", count: 64))

        // deploy(relayers = [relayer], threshold = 1)
        let ctor = ABI.encode([.array([.address(relayer.address)]), .uint64(1)])
        let deployed = try await env.send(to: nil, data: Self.artifact("FerryGateway") + ctor, legacy: true)
        #expect(deployed["status"] as? String == "0x1")
        let gateway = try EthereumAddress(hex: try #require(deployed["contractAddress"] as? String))
        #expect(try GatewayABI.decodeRelayers(await env.call(gateway, GatewayABI.call("getRelayers"))) == [relayer.address])

        let remote: UInt64 = 999
        let setDest = ABI.call(GatewayABI.functionSignatures["setDestinationGateway"] ?? "", [.uint64(remote), .address(gateway)])
        _ = try await env.send(to: gateway, data: setDest)
        let openLane = ABI.call(GatewayABI.functionSignatures["setLaneLimit"] ?? "",
                                [.uint64(remote), .bytes32(.zero), .uint(Amount(1_000_000)), .uint(Amount(1))])
        _ = try await env.send(to: gateway, data: openLane)
        _ = try await env.send(to: gateway, data: GatewayABI.setAssetPair(remoteChain: ChainID(remote), localAsset: .zero, remoteAsset: .zero,
                                                                          localDecimals: 18, remoteDecimals: 18))

        // lock 1000 + 10 wei toward chain 999
        let receiver = try EthereumAddress(hex: "0x00000000000000000000000000000000000000bb")
        let lock = GatewayABI.lock(destChain: ChainID(remote), receiver: Address(receiver.bytes32), sourceAsset: .zero, destAsset: .zero,
                                   amount: Amount(1000), fee: Amount(10), deadline: 4_000_000_000, payloadHash: .zero)
        let locked = try await env.send(to: gateway, data: lock, value: Amount(1010))
        #expect(locked["status"] as? String == "0x1")
        let logs = try #require(locked["logs"] as? [[String: Any]])
        let events = try logs.compactMap { log in
            let topics = try (log["topics"] as? [String] ?? []).map { try Bytes32(hex: $0) }
            return try GatewayABI.decodeEvent(topics: topics, data: Hex.decode(log["data"] as? String ?? "0x"))
        }
        guard case let .locked(transfer)? = events.first else { Issue.record("no Locked event in \(logs)"); return }
        #expect(transfer.sourceChain == ChainID(Self.chainId) && transfer.destChain == ChainID(remote))
        #expect(transfer.sender == Address(env.key.address.bytes32) && transfer.amount == Amount(1000))
        #expect(try await env.call(gateway, ABI.call(GatewayABI.functionSignatures["messageId"] ?? "", [GatewayABI.abiValue(transfer)]))
                == transfer.messageId.bytes)
        #expect(try GatewayABI.decodeStatus(await env.call(gateway, GatewayABI.status(transfer.messageId))) == .locked)

        // A transfer from chain 999 to here, released with a Swift-made attestation, paid from liquidity (the
        // 1,010 wei locked above back a refundable lock: releases may not spend them).
        _ = try await env.send(to: gateway, value: Amount(500))
        let inbound = Transfer(sourceChain: ChainID(remote), destChain: ChainID(Self.chainId), nonce: 7,
                               sender: Address(receiver.bytes32), receiver: Address(receiver.bytes32), sourceAsset: .zero,
                               destAsset: .zero, amount: Amount(500), fee: .zero, deadline: 4_000_000_000)
        let domain = EIP712Domain.ferry(chainId: Self.chainId, gateway: gateway)
        let digest = FerryAttestation.release(messageId: inbound.messageId).digest(in: domain)
        #expect(try await env.call(gateway, ABI.call(GatewayABI.functionSignatures["releaseDigest"] ?? "", [.bytes32(inbound.messageId)]))
                == digest.bytes)
        let sig = RelayerSignature(try FerryAttestation.release(messageId: inbound.messageId).sign(with: relayer, in: domain))
        let release = GatewayABI.release(inbound, signatures: [sig])
        let released = try await env.send(to: gateway, data: release)
        #expect(released["status"] as? String == "0x1")
        let balance = try await node.call("eth_getBalance", [receiver.lowercaseHex, "latest"]) as? String
        #expect(balance == "0x1f4")

        // The replay reverts, and the node's error carries the reason as Error(string) data.
        do {
            _ = try await env.call(gateway, release)
            Issue.record("a second release did not revert")
        } catch let failure as DevNode.RPCFailure {
            #expect(failure.code == 3)
            #expect(failure.message == "execution reverted: ferry: already released")
            #expect(RevertReason(data: try Hex.decode(failure.data ?? "")) == .message("ferry: already released"))
        }
    }
}
