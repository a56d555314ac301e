import FerryChains
import FerryCore
@testable import FerryRelayer
import FerryWire
import FerryTestSupport
import Foundation
import Testing

private let a = RelayerNetwork.chainA
private let b = RelayerNetwork.chainB
private let c = RelayerNetwork.chainC

/// Multi-hop routes A -> B -> C through five relayers (real ZeroMQ, real SQLite), on simulated chains.
@Suite("Relayer multi-hop routes", .serialized)
struct RelayerRouteTests {
    /// The two hops of a route paying `deliver` USDC on C, each hop charging `fee`.
    static func route(_ network: RelayerNetwork, payer: PrivateKeySigner, receiver: Address, deliver: UInt64, fee: UInt64,
                      deadlines: (UInt64, UInt64)) throws -> (first: Transfer, onward: [Transfer]) {
        let usdc = network.usdc.gatewayID
        let payerAddress = Address(payer.address.bytes32)
        let second = Transfer(sourceChain: b, destChain: c, nonce: 0, sender: payerAddress, receiver: receiver,
                              sourceAsset: usdc, destAsset: usdc, amount: Amount(deliver), fee: Amount(fee), deadline: deadlines.1)
        let first = Transfer(sourceChain: a, destChain: b, nonce: 0, sender: payerAddress, receiver: .forward,
                             sourceAsset: usdc, destAsset: usdc, amount: Amount(deliver + fee), fee: Amount(fee), deadline: deadlines.0)
        return try TransferRoute.link([first, second])
    }

    static func record(_ ledger: SimulatedLedger, _ id: Bytes32) async throws -> String {
        switch try await ledger.gatewayState(of: id) {
        case .none: "none"
        case .locked: "locked"
        case .released: "released"
        case .cancelled: "cancelled"
        case .refunded: "refunded"
        }
    }

    @Test("a two-hop route is released hop by hop, the payer's signature covering both, and the journals link the hops")
    func twoHopsDelivered() async throws {
        let network = try await RelayerNetwork(withChainC: true)
        let gossip = try await RelayerNetwork.mesh(5)
        let nodes = try (0..<5).map { try network.node($0, gossip: gossip[$0], graceMillis: 1_000) }
        let ledgerA = network.ledgers[a].unsafelyUnwrapped, ledgerB = network.ledgers[b].unsafelyUnwrapped
        let ledgerC = network.ledgers[c].unsafelyUnwrapped
        let payer = try await network.sender(7, on: a, usdc: Amount(10_000_000))
        let receiver = Address(Keccak256.hash("compute provider on C"))
        let now = network.clock.unixMillis / 1_000
        let route = try Self.route(network, payer: payer, receiver: receiver, deliver: 2_000_000, fee: 300,
                                   deadlines: (now + 3_600, now + 7_200))
        try await RelayerNetworkTests.withNodes(network, gossip: gossip, nodes: nodes) {
            _ = try await network.adapter(a).submit(.lock(route.first, onward: route.onward), signer: payer, priority: .high)
            var delivered = false
            for _ in 0..<1_500 {
                try await network.step(nodes)
                if try await ledgerC.balance(of: receiver, asset: "USDC") > .zero { delivered = true; break }
            }
            #expect(delivered, "the receiver on C was paid")
            #expect(try await ledgerC.balance(of: receiver, asset: "USDC") == Amount(2_000_000))
            // Nothing stays with the payer on B or in between: the forwarded hop took exactly what the first delivered.
            #expect(try await ledgerB.balance(of: Address(payer.address.bytes32), asset: "USDC") == .zero)
            #expect(try await ledgerA.balance(of: Address(payer.address.bytes32), asset: "USDC") == Amount(10_000_000 - 2_000_300 - 300))
            let firstID = try #require(try await network.lockedIDs(on: a).keys.first)
            let secondID = try #require(try await network.lockedIDs(on: b).keys.first)
            #expect(try await Self.record(ledgerB, firstID) == "released")
            #expect(try await Self.record(ledgerC, secondID) == "released")
            let releasedB = await network.releaseCounts(on: b), releasedC = await network.releaseCounts(on: c)
            #expect(releasedB == [firstID: 1] && releasedC == [secondID: 1])
            // Every journal holds the route: hop 0 is the lock on A, hop 1 the lock the release on B made.
            try await waitUntil("every node to journal the second hop as released", timeout: .seconds(30)) {
                for index in 0..<5 {
                    let hops = try await Journal(path: network.journalPath(index)).hops(of: firstID)
                    guard hops.map(\.messageId) == [firstID, secondID], hops.map(\.hopIndex) == [0, 1],
                          hops.allSatisfy({ $0.state == .released }) else { return false }
                }
                return true
            }
        }
        for ledger in network.ledgers.values { for line in await ledger.conservation() { #expect(line.holds, "\(line)") } }
    }

    @Test("a second hop that times out is refunded to the payer on its source chain; nothing is released on C")
    func failureMidRouteRefundsTheRest() async throws {
        let network = try await RelayerNetwork(withChainC: true)
        let gossip = try await RelayerNetwork.mesh(5)
        let nodes = try (0..<5).map { try network.node($0, gossip: gossip[$0], graceMillis: 1_000) }
        let ledgerB = network.ledgers[b].unsafelyUnwrapped, ledgerC = network.ledgers[c].unsafelyUnwrapped
        let payer = try await network.sender(8, on: a, usdc: Amount(10_000_000))
        let receiver = Address(Keccak256.hash("provider behind an outage"))
        let now = network.clock.unixMillis / 1_000
        let route = try Self.route(network, payer: payer, receiver: receiver, deliver: 1_000_000, fee: 200,
                                   deadlines: (now + 3_600, now + 90))
        try await RelayerNetworkTests.withNodes(network, gossip: gossip, nodes: nodes) {
            try await network.step(nodes)
            try await ledgerC.apply(.outage(durationSeconds: nil))
            _ = try await network.adapter(a).submit(.lock(route.first, onward: route.onward), signer: payer, priority: .high)
            // Three minutes with C unreachable: the first hop arrives on B and is forwarded; the second passes its deadline.
            for _ in 0..<450 { try await network.step(nodes) }
            await ledgerC.endOutage()
            var refunded = false
            var secondID: Bytes32?
            for _ in 0..<1_500 {
                try await network.step(nodes)
                secondID = try await network.lockedIDs(on: b).keys.first
                if let secondID, try await Self.record(ledgerB, secondID) == "refunded" { refunded = true; break }
            }
            #expect(refunded, "the second hop was refunded on B")
            let firstID = try #require(try await network.lockedIDs(on: a).keys.first)
            #expect(try await Self.record(ledgerB, firstID) == "released", "the first hop was delivered (forwarded)")
            if let secondID { #expect(try await Self.record(ledgerC, secondID) == "cancelled") }
            #expect(await network.releaseCounts(on: c).isEmpty)
            #expect(try await ledgerC.balance(of: receiver, asset: "USDC") == .zero)
            // What was not delivered is back with the payer, on the chain where the route stopped: amount and fee.
            #expect(try await ledgerB.balance(of: Address(payer.address.bytes32), asset: "USDC") == Amount(1_000_200))
            try await waitUntil("the journals to link the refunded hop", timeout: .seconds(30)) {
                let hops = try await Journal(path: network.journalPath(0)).hops(of: firstID)
                return hops.map(\.state) == [.released, .refunded] && hops.map(\.hopIndex) == [0, 1]
            }
        }
        for ledger in network.ledgers.values { for line in await ledger.conservation() { #expect(line.holds, "\(line)") } }
    }

    @Test("a route whose next lock cannot be made is never released on B: the first hop is cancelled and refunded on A")
    func unforwardableHopRefundsAtSource() async throws {
        let network = try await RelayerNetwork(withChainC: true)
        let gossip = try await RelayerNetwork.mesh(5)
        let nodes = try (0..<5).map { try network.node($0, gossip: gossip[$0], graceMillis: 1_000) }
        let ledgerA = network.ledgers[a].unsafelyUnwrapped, ledgerB = network.ledgers[b].unsafelyUnwrapped
        let payer = try await network.sender(9, on: a, usdc: Amount(5_000_000))
        let now = network.clock.unixMillis / 1_000
        // The second hop's deadline passes before the first is final, so the gateway on B cannot lock it.
        let route = try Self.route(network, payer: payer, receiver: Address(Keccak256.hash("late")), deliver: 1_000_000, fee: 100,
                                   deadlines: (now + 60, now + 2))
        try await RelayerNetworkTests.withNodes(network, gossip: gossip, nodes: nodes) {
            _ = try await network.adapter(a).submit(.lock(route.first, onward: route.onward), signer: payer, priority: .high)
            var refunded = false
            for _ in 0..<1_500 {
                try await network.step(nodes)
                if let id = try await network.lockedIDs(on: a).keys.first, try await Self.record(ledgerA, id) == "refunded" {
                    refunded = true
                    break
                }
            }
            #expect(refunded, "the first hop was refunded on A")
            #expect(await network.releaseCounts(on: b).isEmpty)
            #expect(try await network.lockedIDs(on: b).isEmpty, "no second hop was ever locked")
            #expect(try await ledgerA.balance(of: Address(payer.address.bytes32), asset: "USDC") == Amount(5_000_000))
            #expect(try await ledgerB.balance(of: Address(payer.address.bytes32), asset: "USDC") == .zero)
        }
        for ledger in network.ledgers.values { for line in await ledger.conservation() { #expect(line.holds, "\(line)") } }
    }

    @Test("relayers stopped mid-route resume from their journals, relink the next hop and deliver it")
    func restartMidRoute() async throws {
        let network = try await RelayerNetwork(withChainC: true)
        let ledgerC = network.ledgers[c].unsafelyUnwrapped
        let payer = try await network.sender(10, on: a, usdc: Amount(3_000_000))
        let receiver = Address(Keccak256.hash("provider after a restart"))
        let now = network.clock.unixMillis / 1_000
        let route = try Self.route(network, payer: payer, receiver: receiver, deliver: 1_500_000, fee: 150,
                                   deadlines: (now + 3_600, now + 7_200))
        _ = try await network.adapter(a).submit(.lock(route.first, onward: route.onward), signer: payer, priority: .high)
        do {
            // The first run sees the lock on A but stops before it is final (8 blocks of 400 ms).
            let gossip = try await RelayerNetwork.mesh(5)
            let nodes = try (0..<5).map { try network.node($0, gossip: gossip[$0], graceMillis: 1_000) }
            try await RelayerNetworkTests.withNodes(network, gossip: gossip, nodes: nodes) {
                for _ in 0..<3 { try await network.step(nodes) }
            }
        }
        let firstID = try #require(try await network.lockedIDs(on: a).keys.first)
        #expect(try await Journal(path: network.journalPath(0)).hops(of: firstID).map(\.state) == [.seen])
        let gossip = try await RelayerNetwork.mesh(5)
        let nodes = try (0..<5).map { try network.node($0, gossip: gossip[$0], graceMillis: 1_000) }
        try await RelayerNetworkTests.withNodes(network, gossip: gossip, nodes: nodes) {
            for _ in 0..<1_500 {
                try await network.step(nodes)
                if try await ledgerC.balance(of: receiver, asset: "USDC") > .zero { break }
            }
            #expect(try await ledgerC.balance(of: receiver, asset: "USDC") == Amount(1_500_000))
            let secondID = try #require(try await network.lockedIDs(on: b).keys.first)
            try await waitUntil("the restarted journals to link the second hop", timeout: .seconds(30)) {
                for index in 0..<5 {
                    let hops = try await Journal(path: network.journalPath(index)).hops(of: firstID)
                    guard hops.map(\.messageId) == [firstID, secondID], hops.map(\.hopIndex) == [0, 1] else { return false }
                }
                return true
            }
        }
        for ledger in network.ledgers.values { for line in await ledger.conservation() { #expect(line.holds, "\(line)") } }
    }
}
