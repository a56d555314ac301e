import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing

/// The gateway's side of multi-hop routes: locks that carry onward hops, and releases that forward.
@Suite("Gateway program: multi-hop routes")
struct GatewayRouteTests {
    /// A route 999 -> chain -> 999: the hop into the chain forwards to a hop back out of it.
    static func route(_ chain: TestChain, payer: Address, deliver: UInt64, fee: UInt64, carry: UInt64) async throws -> (first: Transfer, onward: [Transfer]) {
        let now = try await chain.now()
        let out = Transfer(sourceChain: chain.info.id, destChain: TestChain.remote, nonce: 0, sender: payer,
                           receiver: Address(Keccak256.hash("provider")), sourceAsset: chain.usdc.gatewayID,
                           destAsset: chain.usdc.gatewayID, amount: Amount(deliver), fee: Amount(fee), deadline: now + 7_200)
        let into = Transfer(sourceChain: TestChain.remote, destChain: chain.info.id, nonce: 4, sender: payer, receiver: .forward,
                            sourceAsset: chain.usdc.gatewayID, destAsset: chain.usdc.gatewayID, amount: Amount(carry),
                            fee: .zero, deadline: now + 3_600)
        var (first, onward) = try TransferRoute.link([into, out])
        first.nonce = 4  // the remote gateway assigned it
        return (first, onward)
    }

    @Test("a lock keeps its onward hops for the relayers; a broken route is refused with the hop and reason")
    func lockWithOnward() async throws {
        let chain = try await TestChain.make(.solana)
        let alice = try await chain.account(1)
        let now = try await chain.now()
        let usdc = chain.usdc.gatewayID
        let next = Transfer(sourceChain: TestChain.remote, destChain: ChainID(55), nonce: 0, sender: chain.address(alice),
                            receiver: Address(Keccak256.hash("far")), sourceAsset: usdc, destAsset: usdc, amount: Amount(900),
                            fee: Amount(100), deadline: now + 7_200)
        let first = Transfer(sourceChain: chain.info.id, destChain: TestChain.remote, nonce: 0, sender: chain.address(alice),
                             receiver: .forward, sourceAsset: usdc, destAsset: usdc, amount: Amount(1_000), fee: Amount(50),
                             deadline: now + 3_600)
        let (linked, onward) = try TransferRoute.link([first, next])
        let (_, status) = try await chain.mine(.lock(linked, onward: onward), by: alice)
        #expect(status == .included(height: 1, succeeded: true, reason: nil))
        let id = try #require(try await chain.events(from: 0).compactMap(\.lockedMessageId).first)
        #expect(try await chain.adapter.onwardHops(of: id) == onward)

        var tampered = onward
        tampered[0].amount = Amount(950)
        await #expect(throws: ChainError.rejected(chain.info.id, reason: "invalid route at hop 1: the previous hop's payload hash does not commit to this hop")) {
            _ = try await chain.adapter.submit(.lock(linked, onward: tampered), signer: alice, priority: .high)
        }
        var plain = linked
        plain.receiver = Address(Keccak256.hash("someone"))
        await #expect(throws: ChainError.self) {
            _ = try await chain.adapter.submit(.lock(plain, onward: onward), signer: alice, priority: .high)
        }
        await #expect(throws: ChainError.self) {
            _ = try await chain.adapter.submit(.lock(linked), signer: alice, priority: .high)  // forwards, but nothing onward
        }
        await chain.expectConserved()
    }

    @Test("a forwarding release locks the next hop from the payer in the same transaction; any surplus stays with the payer")
    func releaseForwards() async throws {
        let chain = try await TestChain.make(.rollup)
        let relayer = try await chain.account(9)
        let payer = Address(Keccak256.hash("route payer"))
        let route = try await Self.route(chain, payer: payer, deliver: 4_000_000, fee: 1_000, carry: 4_001_500)
        let sigs = try chain.attest(.release(messageId: route.first.messageId), by: [0, 2])
        let poolBefore = await chain.ledger.pool("USDC")
        let (tx, status) = try await chain.mine(.release(route.first, signatures: sigs, onward: route.onward), by: relayer)
        #expect(status == .included(height: 1, succeeded: true, reason: nil))
        let events = try await chain.events(from: 0).filter { if case .head = $0 { false } else { true } }
        guard events.count == 2, case let .released(releasedID, _, releaseTx) = events[0],
              case let .locked(lockedID, locked, _, lockTx) = events[1] else {
            Issue.record("expected Released then Locked, got \(events)")
            return
        }
        #expect(releasedID == route.first.messageId && releaseTx == tx && lockTx == tx)
        #expect(locked.sender == payer && locked.routeCommitment == route.onward[0].routeCommitment && locked.messageId == lockedID)
        #expect(try await chain.adapter.gatewayState(of: lockedID) == .locked(locked, height: 1))
        // 4,001,500 arrived; 4,001,000 left again as the next lock; 500 stays with the payer on this chain.
        #expect(try await chain.adapter.balance(of: payer, asset: "USDC") == Amount(500))
        #expect(try await chain.adapter.balance(of: Address(Keccak256.hash("provider")), asset: "USDC") == .zero)
        #expect(await chain.ledger.pool("USDC") == (try poolBefore - Amount(500)))
        await chain.expectConserved()
    }

    @Test("a forwarding release is refused when the onward hops are missing, altered or not covered; nothing changes")
    func releaseRefusals() async throws {
        let chain = try await TestChain.make(.evm)
        let relayer = try await chain.account(9)
        let payer = Address(Keccak256.hash("route payer"))
        // The payer holds USDC of its own here: a hop that does not cover the next must still not draw on it.
        try await chain.ledger.fund(payer, asset: "USDC", amount: Amount(1_000_000))
        let short = try await Self.route(chain, payer: payer, deliver: 4_000_000, fee: 1_000, carry: 3_999_999)
        let sigs = try chain.attest(.release(messageId: short.first.messageId), by: [0, 1])
        await #expect(throws: ChainError.rejected(chain.info.id, reason: "transfer \(short.first.messageId) forwards, but the release carries no onward hops")) {
            _ = try await chain.adapter.submit(.release(short.first, signatures: sigs), signer: relayer, priority: .high)
        }
        var altered = short.onward
        altered[0].receiver = Address(Keccak256.hash("thief"))
        await #expect(throws: ChainError.rejected(chain.info.id, reason: "invalid route at hop 1: the previous hop's payload hash does not commit to this hop")) {
            _ = try await chain.adapter.submit(.release(short.first, signatures: sigs, onward: altered), signer: relayer, priority: .high)
        }
        await #expect(throws: ChainError.rejected(chain.info.id, reason: "the next hop needs 4001000 USDC with its fee, but this hop delivers 3999999")) {
            _ = try await chain.adapter.submit(.release(short.first, signatures: sigs, onward: short.onward), signer: relayer, priority: .high)
        }
        let plain = try await chain.inbound(to: Address(Keccak256.hash("bob")))
        await #expect(throws: ChainError.rejected(chain.info.id, reason: "onward hops given for a transfer that does not forward")) {
            _ = try await chain.adapter.submit(.release(plain, signatures: try chain.attest(.release(messageId: plain.messageId)), onward: short.onward),
                                               signer: relayer, priority: .high)
        }
        #expect(try await chain.adapter.gatewayState(of: short.first.messageId) == GatewayRecord.none)
        #expect(try await chain.adapter.balance(of: payer, asset: "USDC") == Amount(1_000_000))
        await chain.expectConserved()
    }

    @Test("onward hops survive the devnet's JSON form; misplaced or too many are refused")
    func onwardJSON() throws {
        let usdc = Keccak256.hash("USDC")
        let payer = Address(Keccak256.hash("p"))
        var hops: [Transfer] = []
        for i: UInt64 in 0..<3 {
            hops.append(Transfer(sourceChain: ChainID(i + 1), destChain: ChainID(i + 2), nonce: 0, sender: payer,
                                 receiver: Address(Keccak256.hash("r")), sourceAsset: usdc, destAsset: usdc, amount: Amount(100 - i),
                                 fee: Amount(1), deadline: 2_000_000_000))
        }
        let (first, onward) = try TransferRoute.link(hops)
        for call in [GatewayCall.lock(first, onward: onward), .release(first, signatures: [], onward: onward), .lock(hops[2])] {
            let data = try JSONEncoder().encode(call)
            #expect(try JSONDecoder().decode(GatewayCall.self, from: data) == call)
        }
        #expect(!String(decoding: try JSONEncoder().encode(GatewayCall.lock(hops[2])), as: UTF8.self).contains("onward"))
        let lock = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(GatewayCall.lock(first, onward: onward))) as? [String: Any])
        var cancel = lock
        cancel["kind"] = "cancel"
        cancel["signatures"] = [String]()
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(GatewayCall.self, from: try JSONSerialization.data(withJSONObject: cancel)) }
        var tooMany = lock
        tooMany["onward"] = Array(repeating: (lock["onward"] as? [Any])?.first ?? [:], count: 4)
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(GatewayCall.self, from: try JSONSerialization.data(withJSONObject: tooMany)) }
        // The call's signing bytes cover the onward hops: a transaction signature cannot be reused for another route.
        #expect(GatewayCall.lock(first, onward: onward).canonicalBytes != GatewayCall.lock(first, onward: Array(onward.prefix(1))).canonicalBytes)
    }
}
