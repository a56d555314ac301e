import FerryChains
import FerryCore
import FerryCrypto
import Testing

@Suite("Gateway program")
struct GatewayTests {
    @Test("locks take amount plus fee, get sequential gateway nonces and emit Locked with the message id")
    func locks() async throws {
        let chain = try await TestChain.make(.evm)
        let alice = try await chain.account(1)
        let poolBefore = await chain.ledger.pool("USDC")
        var ids: [Bytes32] = []
        for _ in 0..<3 {
            let (_, status) = try await chain.mine(.lock(try await chain.outbound(from: alice)), by: alice)
            guard case .included(_, true, _) = status else { Issue.record("lock not included: \(status)"); return }
        }
        let events = try await chain.events(from: 0)
        for case let .locked(id, transfer, _, _) in events {
            #expect(transfer.messageId == id)
            ids.append(id)
            #expect(try await chain.adapter.gatewayState(of: id) == .locked(transfer, height: try #require(events.lockHeight(id))))
        }
        let nonces = events.compactMap { if case let .locked(_, t, _, _) = $0 { t.nonce } else { nil } }
        #expect(nonces == [0, 1, 2])
        #expect(Set(ids).count == 3)
        #expect(try await chain.adapter.balance(of: chain.address(alice), asset: "USDC") == Amount(100_000_000 - 3 * 5_001_000))
        #expect(await chain.ledger.pool("USDC") == (try poolBefore + Amount(3 * 5_001_000)))
        await chain.expectConserved()
    }

    @Test("release pays the receiver with k-of-n signatures, once")
    func release() async throws {
        let chain = try await TestChain.make(.rollup)
        let relayer = try await chain.account(9)
        let receiver = Address(Keccak256.hash("bob"))
        let transfer = try await chain.inbound(to: receiver)
        let sigs = try chain.attest(.release(messageId: transfer.messageId), by: [2, 0])
        let (_, status) = try await chain.mine(.release(transfer, signatures: sigs), by: relayer)
        #expect(status == .included(height: 1, succeeded: true, reason: nil))
        #expect(try await chain.adapter.balance(of: receiver, asset: "USDC") == Amount(5_000_000))
        #expect(try await chain.adapter.gatewayState(of: transfer.messageId) == .released(height: 1))
        await #expect(throws: ChainError.rejected(chain.info.id, reason: "message \(transfer.messageId) was already released")) {
            _ = try await chain.adapter.submit(.release(transfer, signatures: sigs), signer: relayer, priority: .high)
        }
        await chain.expectConserved()
    }

    struct BadRelease: Sendable, CustomTestStringConvertible {
        let name: String
        let indices: [Int]
        let cancelType: Bool
        let foreignDomain: Bool
        let reasonContains: String
        var testDescription: String { name }
    }

    @Test("release refuses bad attestations with the reason", arguments: [
        BadRelease(name: "too few", indices: [1], cancelType: false, foreignDomain: false, reasonContains: "needs 2 of 3"),
        BadRelease(name: "duplicate signer", indices: [1, 1], cancelType: false, foreignDomain: false, reasonContains: "must be distinct and in ascending order"),
        BadRelease(name: "cancel instead of release", indices: [0, 1], cancelType: true, foreignDomain: false, reasonContains: "not a relayer"),
        BadRelease(name: "another chain's domain", indices: [0, 1], cancelType: false, foreignDomain: true, reasonContains: "not a relayer"),
    ])
    func badRelease(bad: BadRelease) async throws {
        let chain = try await TestChain.make(.solana)
        let relayer = try await chain.account(9)
        let transfer = try await chain.inbound(to: Address(Keccak256.hash("bob")))
        let attestation: FerryAttestation = bad.cancelType ? .cancel(messageId: transfer.messageId) : .release(messageId: transfer.messageId)
        let sigs = try chain.attest(attestation, by: bad.indices, in: bad.foreignDomain ? chain.remoteDomain : nil)
        do {
            _ = try await chain.adapter.submit(.release(transfer, signatures: sigs), signer: relayer, priority: .high)
            Issue.record("release with \(bad.name) was accepted")
        } catch {
            guard case let .rejected(_, reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(reason.contains(bad.reasonContains), "\(reason)")
        }
        #expect(try await chain.adapter.gatewayState(of: transfer.messageId) == GatewayRecord.none)
        await chain.expectConserved()
    }

    @Test("a stranger's signatures are refused")
    func strangerSignatures() async throws {
        let chain = try await TestChain.make(.evm)
        let relayer = try await chain.account(9)
        let transfer = try await chain.inbound(to: Address(Keccak256.hash("bob")))
        let strangers = try (0..<2).map { try PrivateKeySigner(seed: 777, index: $0) }
        let digest = FerryAttestation.release(messageId: transfer.messageId).digest(in: chain.info.attestationDomain)
        let sigs = try strangers.map { try $0.sign(digest: digest) }
        await #expect(throws: ChainError.self) {
            _ = try await chain.adapter.submit(.release(transfer, signatures: sigs), signer: relayer, priority: .high)
        }
    }

    @Test("cancel only after the deadline; then release is impossible")
    func cancelExcludesRelease() async throws {
        let chain = try await TestChain.make(.evm)
        let relayer = try await chain.account(9)
        let transfer = try await chain.inbound(to: Address(Keccak256.hash("bob")), deadlineIn: 60)
        let cancel = GatewayCall.cancel(transfer, signatures: try chain.attest(.cancel(messageId: transfer.messageId)))
        do {
            _ = try await chain.adapter.submit(cancel, signer: relayer, priority: .high)
            Issue.record("cancel before the deadline was accepted")
        } catch {
            #expect("\(error)".contains("before the deadline"), "\(error)")
        }
        chain.clock.advance(by: .seconds(61))
        let (_, status) = try await chain.mine(cancel, by: relayer)
        guard case .included(let height, true, _) = status else { Issue.record("\(status)"); return }
        #expect(try await chain.adapter.gatewayState(of: transfer.messageId) == .cancelled(height: height))
        let release = GatewayCall.release(transfer, signatures: try chain.attest(.release(messageId: transfer.messageId)))
        await #expect(throws: ChainError.rejected(chain.info.id, reason: "message \(transfer.messageId) was cancelled; it can never be released")) {
            _ = try await chain.adapter.submit(release, signer: relayer, priority: .high)
        }
        await chain.expectConserved()
    }

    @Test("refund needs Refund attestations in the source's own domain, and happens once", arguments: [LaneMode.lockRelease, .burnMint])
    func refund(mode: LaneMode) async throws {
        let chain = try await TestChain.make(.bitcoin, mode: mode)
        let alice = try await chain.account(1)
        let (tx, _) = try await chain.mine(.lock(try await chain.outbound(from: alice)), by: alice)
        let events = try await chain.events(from: 0)
        let locked = try #require(events.compactMap { e -> Transfer? in
            if case let .locked(_, t, _, id) = e, id == tx { t } else { nil }
        }.first)
        let id = locked.messageId
        // Cancel attestations, in either domain, prove nothing about the destination: no refund with them.
        await #expect(throws: ChainError.self) {
            _ = try await chain.adapter.submit(.refund(locked, signatures: try chain.attest(.cancel(messageId: id))), signer: alice, priority: .high)
        }
        await #expect(throws: ChainError.self) {
            _ = try await chain.adapter.submit(.refund(locked, signatures: try chain.attest(.cancel(messageId: id), in: chain.remoteDomain)),
                                               signer: alice, priority: .high)
        }
        await #expect(throws: ChainError.self) {
            _ = try await chain.adapter.submit(.refund(locked, signatures: try chain.attest(.release(messageId: id), in: chain.remoteDomain)),
                                               signer: alice, priority: .high)
        }
        let good = try chain.attest(.refund(messageId: id))
        // Even with valid Refund attestations, no refund before the deadline (the destination could still release).
        await #expect(throws: ChainError.self) {
            _ = try await chain.adapter.submit(.refund(locked, signatures: good), signer: alice, priority: .high)
        }
        await chain.advance(blocks: 1 + 3_600_000 / chain.info.blockTimeMillis)
        let (_, status) = try await chain.mine(.refund(locked, signatures: good), by: alice)
        guard case .included(_, true, _) = status else { Issue.record("\(status)"); return }
        #expect(try await chain.adapter.balance(of: chain.address(alice), asset: "USDC") == Amount(100_000_000))
        await #expect(throws: ChainError.rejected(chain.info.id, reason: "message \(id) was already refunded")) {
            _ = try await chain.adapter.submit(.refund(locked, signatures: good), signer: alice, priority: .high)
        }
        await chain.expectConserved()
    }

    @Test("burn/mint lanes burn on lock and mint on release, and conservation still holds")
    func burnMint() async throws {
        let chain = try await TestChain.make(.solana, mode: .burnMint, liquidity: .zero)
        let alice = try await chain.account(1)
        _ = try await chain.mine(.lock(try await chain.outbound(from: alice, amount: 7_000_000, fee: 0)), by: alice)
        #expect(await chain.ledger.pool("USDC") == .zero)
        let transfer = try await chain.inbound(to: Address(Keccak256.hash("bob")), amount: 3_000_000)
        _ = try await chain.mine(.release(transfer, signatures: try chain.attest(.release(messageId: transfer.messageId))), by: alice)
        let usdc = try #require(await chain.ledger.conservation().first { $0.asset == "USDC" })
        #expect(usdc.supply.bridgeBurned == Amount(7_000_000))
        #expect(usdc.supply.bridgeMinted == Amount(3_000_000))
        #expect(usdc.holds, "\(usdc)")
        await chain.expectConserved()
    }

    @Test("a release beyond the pool's liquidity is refused")
    func liquidity() async throws {
        let chain = try await TestChain.make(.evm, liquidity: Amount(1_000))
        let relayer = try await chain.account(9)
        let transfer = try await chain.inbound(to: Address(Keccak256.hash("bob")), amount: 5_000)
        do {
            _ = try await chain.adapter.submit(.release(transfer, signatures: try chain.attest(.release(messageId: transfer.messageId))),
                                               signer: relayer, priority: .high)
            Issue.record("release beyond liquidity accepted")
        } catch {
            #expect("\(error)".contains("insufficient USDC liquidity"), "\(error)")
        }
    }

    @Test("the lane's token bucket limits locks and refills per second of chain time")
    func rateLimit() async throws {
        let limit = RateLimit(capacity: Amount(10_000_000), refillPerSecond: Amount(1_000))
        let chain = try await TestChain.make(.solana, rateLimit: limit)
        let alice = try await chain.account(1)
        let (_, first) = try await chain.mine(.lock(try await chain.outbound(from: alice, amount: 8_000_000)), by: alice)
        guard case .included(_, true, _) = first else { Issue.record("\(first)"); return }
        do {
            _ = try await chain.adapter.submit(.lock(try await chain.outbound(from: alice, amount: 8_000_000)), signer: alice, priority: .high)
            Issue.record("lock over the rate limit accepted")
        } catch {
            #expect("\(error)".contains("rate limit"), "\(error)")
        }
        chain.clock.advance(by: .seconds(6_000))  // refills 6,000,000
        let (_, later) = try await chain.mine(.lock(try await chain.outbound(from: alice, amount: 8_000_000)), by: alice)
        guard case .included(_, true, _) = later else { Issue.record("\(later)"); return }
        await chain.expectConserved()
    }

    @Test("bad input: unknown asset, zero amount, wrong sender, past deadline, unfunded account")
    func badInput() async throws {
        let chain = try await TestChain.make(.evm)
        let alice = try await chain.account(1)
        await #expect(throws: ChainError.unknown(chain.info.id, what: "asset \"DOGE\" (known: ETH, USDC)")) {
            _ = try await chain.adapter.balance(of: chain.address(alice), asset: "DOGE")
        }
        var unknownAsset = try await chain.outbound(from: alice)
        unknownAsset.sourceAsset = Keccak256.hash("DOGE")
        var zero = try await chain.outbound(from: alice)
        zero.amount = .zero
        var wrongSender = try await chain.outbound(from: alice)
        wrongSender.sender = Address(Keccak256.hash("mallory"))
        var past = try await chain.outbound(from: alice)
        past.deadline = 1
        var tooMuch = try await chain.outbound(from: alice)
        tooMuch.amount = Amount(1_000_000_000)
        for (transfer, expected) in [(unknownAsset, "unknown asset"), (zero, "amount is zero"), (wrongSender, "is not the transaction signer"),
                                     (past, "deadline"), (tooMuch, "insufficient")] {
            do {
                _ = try await chain.adapter.submit(.lock(transfer), signer: alice, priority: .median)
                Issue.record("accepted a lock that should fail with \(expected)")
            } catch {
                #expect("\(error)".contains(expected), "\(error)")
            }
        }
        let pauper = try PrivateKeySigner(seed: 1, index: 1_000)
        await #expect(throws: ChainError.self) {
            _ = try await chain.adapter.submit(.lock(try await chain.outbound(from: pauper)), signer: pauper, priority: .low)
        }
        #expect(await chain.ledger.pendingCount == 0)
        await chain.expectConserved()
    }
}

extension [GatewayEvent] {
    func lockHeight(_ id: Bytes32) -> UInt64? {
        for case let .locked(lockId, _, block, _) in self where lockId == id { return block.height }
        return nil
    }
}
