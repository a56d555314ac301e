import FerryTestSupport
import FerryAdapterConformance
import Foundation
import FerryChains
import FerryCore
import FerryCrypto
import Synchronization
import Testing

@testable import FerryEVM

/// The adapter conformance kit's harness over `evm_node.py`: funding from the owner account, blocks via
/// `evm_mine`, time via `evm_increaseTime`, reorgs via `evm_reorg`.
final class EVMConformanceHarness: ConformanceHarness {
    let bed: EVMTestbed
    let evm: EVMAdapter
    let lane: ConformanceLane
    private let accounts = Mutex<UInt64>(100)

    var adapter: any ChainAdapter { evm }

    init(bed: EVMTestbed, adapter: EVMAdapter) {
        self.bed = bed
        self.evm = adapter
        lane = ConformanceLane(asset: "ETH", remoteChain: bed.remoteChain, remoteGateway: bed.gateway, remoteAsset: .zero,
                               remoteDecimals: 18, amount: Amount(1_000_000_000_000), fee: Amount(3))
    }

    func makeFundedSigner(asset: String, amount: Amount) async throws -> any TransactionSigner {
        let index = accounts.withLock { n in
            n += 1
            return n
        }
        let signer = try PrivateKeySigner(seed: bed.node.chainId &* 7, index: index)
        try await bed.send(from: bed.owner, to: signer.address, value: try EVMTestbed.ether * Amount(10) + (asset == "ETH" ? amount : .zero))
        if asset == "TUSD", !amount.isZero { try await bed.mint(to: signer.address, amount: amount) }
        return signer
    }

    func relayerSigners() async throws -> [any TransactionSigner] { EVMTestbed.relayers }

    func advance(blocks: UInt64) async throws {
        guard blocks > 0 else { return }
        _ = try await bed.rpc("evm_mine", [.string(HexQuantity.encode(blocks))])
    }

    func advance(seconds: UInt64) async throws {
        _ = try await bed.rpc("evm_increaseTime", [.string(HexQuantity.encode(seconds))])
        _ = try await bed.rpc("evm_mine")
    }

    func reorg(depth: UInt64) async throws -> Bool {
        _ = try await bed.rpc("evm_reorg", [.string(HexQuantity.encode(depth))])
        return true
    }
}

@Suite("Adapter conformance kit against EVMAdapter", .serialized)
struct EVMConformanceTests {
    @Test("EVMAdapter passes FerryAdapterConformance on the dev node")
    func conformance() async throws {
        let bed = try await EVMTestbed.start(chainId: 4_601, remoteChain: 4_602)
        defer { bed.node.stop() }
        let harness = EVMConformanceHarness(bed: bed, adapter: try await bed.adapter(finalityDepth: 3))
        let report = await AdapterConformance.run(harness)
        for check in report.checks {
            if case let .failed(reason) = check.outcome { Issue.record("\(check.name): \(reason)") }
        }
        #expect(report.checks.count == 13)
    }
}

@Suite("chains/evm-local registry entries")
struct EVMRegistryTests {
    @Test("the two local EVM entries load and match the addresses and relayers the test deployment produces")
    func entries() throws {
        let registry = try ChainRegistry.load(directory: PythonVectors.packageRoot.appendingPathComponent("chains/evm-local").path)
        for (id, remote, port) in [(UInt64(1_337), UInt64(1_338), 8_545), (1_338, 1_337, 8_546)] {
            let entry = try #require(registry[ChainID(id)])
            #expect(entry.adapter == .evmRPC)
            #expect(entry.rpcURL == "http://127.0.0.1:\(port)")
            #expect(entry.info.gateway == (try EthereumAddress(hex: "0xF2E246BB76DF876Cef8b38ae84130F4F55De395b")))
            #expect(entry.info.asset("TUSD")?.gatewayID == (try EthereumAddress(hex: "0x2946259E0334f33A064106302415aD3391BeD384")).bytes32)
            #expect(entry.relayers == RelayerSet(members: EVMTestbed.relayers.map(\.address), threshold: 3))
            #expect(entry.lanes.map(\.remoteChain) == [ChainID(remote), ChainID(remote)])
        }
    }
}
