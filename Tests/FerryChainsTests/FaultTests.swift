import FerryChains
import FerryCore
import FerryCrypto
import Testing

@Suite("Faults")
struct FaultTests {
    @Test("an outage makes every call unreachable, then the chain recovers", arguments: ChainFamily.allCases)
    func outage(family: ChainFamily) async throws {
        let chain = try await TestChain.make(family)
        let alice = try await chain.account(1)
        try await chain.ledger.apply(.outage(durationSeconds: 30))
        for call in [{ _ = try await chain.adapter.head() }, { _ = try await chain.adapter.feeEstimate() },
                     { _ = try await chain.adapter.balance(of: chain.address(alice), asset: "USDC") },
                     { _ = try await chain.adapter.submit(.lock(try await chain.outbound(from: alice)), signer: alice, priority: .low) }]
            as [@Sendable () async throws -> Void] {
            do {
                try await call()
                Issue.record("call succeeded during the outage")
            } catch let error as ChainError {
                guard case .unreachable = error else { Issue.record("expected unreachable, got \(error)"); continue }
                #expect(error.isTransient)
            }
        }
        chain.clock.advance(by: .seconds(31))
        _ = try await chain.adapter.head()
        let (_, status) = try await chain.mine(.lock(try await chain.outbound(from: alice)), by: alice)
        guard case .included(_, true, _) = status else { Issue.record("\(status)"); return }
        await chain.expectConserved()
    }

    @Test("an open-ended outage lasts until ended; the event stream resumes without losing the lock")
    func outageStream() async throws {
        let chain = try await TestChain.make(.solana)
        let alice = try await chain.account(1)
        let (tx, _) = try await chain.mine(.lock(try await chain.outbound(from: alice)), by: alice)
        try await chain.ledger.apply(.outage(durationSeconds: nil))
        chain.clock.advance(by: .seconds(3_600))
        await #expect(throws: ChainError.self) { _ = try await chain.adapter.head() }
        await chain.ledger.endOutage()
        let events = try await chain.events(from: 0)
        #expect(events.filter { if case let .locked(_, _, _, id) = $0 { id == tx } else { false } }.count == 1)
    }

    @Test("a reorg of depth 3 removes a lock that was not final, and the stream says so")
    func reorgRemovesLock() async throws {
        let chain = try await TestChain.make(.evm)
        let alice = try await chain.account(1)
        await chain.advance(blocks: 5)
        let stream = chain.adapter.events(from: 1)
        var iterator = stream.makeAsyncIterator()
        let (tx, status) = try await chain.mine(.lock(try await chain.outbound(from: alice)), by: alice)
        guard case let .included(lockHeight, true, _) = status else { Issue.record("\(status)"); return }
        var lockId: Bytes32?
        while lockId == nil, let event = try await iterator.next() { lockId = event.lockedMessageId }
        let id = try #require(lockId)
        #expect(try await chain.adapter.finalizedHeight() < lockHeight)
        let usdcBefore = try await chain.adapter.balance(of: chain.address(alice), asset: "USDC")

        try await chain.ledger.apply(.reorg(depth: 3, dropTransactions: true))

        var notice: UInt64?
        while notice == nil, let event = try await iterator.next() {
            if case let .reorg(from) = event { notice = from }
            #expect(event.lockedMessageId == nil, "no lock may be delivered before the reorg notice")
        }
        #expect(try #require(notice) <= lockHeight)
        #expect(try await chain.adapter.transaction(tx) == .dropped)
        #expect(try await chain.adapter.gatewayState(of: id) == GatewayRecord.none)
        #expect(try await chain.adapter.balance(of: chain.address(alice), asset: "USDC") > usdcBefore)
        await chain.advance(blocks: 3)
        let replay = try await chain.events(from: 0)
        #expect(replay.allSatisfy { $0.lockedMessageId == nil })
        await chain.expectConserved()
    }

    @Test("a reorg that keeps its transactions re-emits the lock after the notice")
    func reorgReincludes() async throws {
        let chain = try await TestChain.make(.rollup)
        let alice = try await chain.account(1)
        await chain.advance(blocks: 4)
        let stream = chain.adapter.events(from: 0)
        var iterator = stream.makeAsyncIterator()
        let (tx, _) = try await chain.mine(.lock(try await chain.outbound(from: alice)), by: alice)
        var seen: [GatewayEvent] = []
        while !seen.contains(where: { $0.lockedMessageId != nil }), let event = try await iterator.next() { seen.append(event) }
        try await chain.ledger.reorg(depth: 2)
        var after: [GatewayEvent] = []
        while !after.contains(where: { $0.lockedMessageId != nil }), let event = try await iterator.next() { after.append(event) }
        guard case .reorg = try #require(after.first(where: { if case .head = $0 { false } else { true } })) else { Issue.record("expected a reorg notice first: \(after)"); return }
        guard case .included(_, true, _) = try await chain.adapter.transaction(tx) else { Issue.record("lock not re-included"); return }
        await chain.expectConserved()
    }

    @Test("reorgs deeper than the finality depth or the kept history are refused")
    func reorgLimits() async throws {
        let chain = try await TestChain.make(.bitcoin)
        await chain.advance(blocks: 10)
        await #expect(throws: ChainError.rejected(chain.info.id, reason: "reorg depth 7 would replace final blocks (finality depth 6)")) {
            try await chain.ledger.reorg(depth: 7)
        }
        await #expect(throws: ChainError.self) { try await chain.ledger.reorg(depth: 0) }
        try await chain.ledger.reorg(depth: 6)
        #expect(try await chain.adapter.head().height == 10)
    }

    @Test("dropped transactions leave the mempool and are reported dropped")
    func dropped() async throws {
        let chain = try await TestChain.make(.bitcoin)
        try await chain.ledger.apply(.congestion(extraLoadPercent: 300, durationSeconds: 100_000))
        let alice = try await chain.account(1)
        let tx = try await chain.adapter.submit(.lock(try await chain.outbound(from: alice)), signer: alice, priority: .low)
        await chain.ledger.dropPending()
        #expect(try await chain.adapter.transaction(tx) == .dropped)
        try await chain.ledger.apply(.dropTransactions(perMille: 1000, durationSeconds: 3_600))
        let next = try await chain.adapter.submit(.lock(try await chain.outbound(from: alice)), signer: alice, priority: .high)
        await chain.advance(blocks: 1)
        #expect(try await chain.adapter.transaction(next) == .dropped)
        await chain.expectConserved()
    }

    @Test("scenario files drive faults on chain time")
    func scenario() async throws {
        let json = """
        { "seed": 9, "faults": [
            { "chain": 7, "atSeconds": 60, "fault": { "kind": "feeSpike", "factor": 20 } },
            { "chain": 7, "atSeconds": 120, "fault": { "kind": "outage", "durationSeconds": 30 } },
            { "chain": 8, "atSeconds": 1, "fault": { "kind": "outage" } } ] }
        """
        let scenario = try FaultScenario.decode(json: json, source: "test.json")
        #expect(scenario.faults(for: 7).count == 2)
        let chain = try await TestChain.make(.evm)
        await chain.ledger.schedule(scenario)
        let calm = try await chain.adapter.feeEstimate()
        chain.clock.advance(by: .seconds(61))
        let spiked = try await chain.adapter.feeEstimate()
        #expect(spiked.median > calm.median)
        chain.clock.advance(by: .seconds(60))
        await #expect(throws: ChainError.self) { _ = try await chain.adapter.head() }
        chain.clock.advance(by: .seconds(31))
        _ = try await chain.adapter.head()
        await chain.expectConserved()
    }

    @Test("bad scenario files name the field and the problem", arguments: [
        ("{ \"faults\": [ { \"atSeconds\": 1, \"fault\": { \"kind\": \"meteor\" } } ] }", "faults[0].fault.kind", "unknown fault kind"),
        ("{ \"faults\": [ { \"atSeconds\": -5, \"fault\": { \"kind\": \"outage\" } } ] }", "faults[0].atSeconds", "negative"),
        ("{ \"faults\": [ { \"atSeconds\": 1, \"fault\": { \"kind\": \"reorg\" } } ] }", "faults[0].fault.depth", "missing"),
        ("{ \"faults\": [ { \"atSeconds\": 1, \"fault\": { \"kind\": \"reorg\", \"depth\": 0 } } ] }", "faults[0].fault.depth", "at least 1"),
        ("{ \"faults\": [ { \"atSeconds\": 1.5, \"fault\": { \"kind\": \"outage\" } } ] }", "faults[0].atSeconds", "not a whole number"),
        ("not json", "", ""),
    ])
    func badScenario(json: String, field: String, problem: String) {
        do {
            _ = try FaultScenario.decode(json: json, source: "bad.json")
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(error.description.hasPrefix("bad.json"))
            if !problem.isEmpty { #expect(error.problem.contains(problem), "\(error)") }
        }
    }

    @Test("conservation holds through a seeded storm of transfers and faults", arguments: ChainFamily.allCases)
    func storm(family: ChainFamily) async throws {
        let seed: UInt64 = 2024
        var rng = SeededGenerator(seed: seed)
        let chain = try await TestChain.make(family, seed: seed)
        let users = try await withThrowingTaskGroup(of: PrivateKeySigner.self) { group in
            for i in 0..<4 { group.addTask { try await chain.account(UInt64(i)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for step in 0..<40 {
            let user = users[Int(rng.next() % 4)]
            switch rng.next() % 6 {
            case 0, 1:
                _ = try? await chain.adapter.submit(.lock(try await chain.outbound(from: user, amount: 1_000 + rng.next() % 100_000)),
                                                    signer: user, priority: FeePriority.allCases[Int(rng.next() % 3)])
            case 2:
                let t = try await chain.inbound(to: chain.address(user), amount: 1 + rng.next() % 50_000, nonce: UInt64(step))
                _ = try? await chain.adapter.submit(.release(t, signatures: try chain.attest(.release(messageId: t.messageId))),
                                                    signer: user, priority: .median)
            case 3:
                try? await chain.ledger.reorg(depth: 1 + rng.next() % 3, dropTransactions: rng.next() % 2 == 0)
            case 4:
                try await chain.ledger.apply(rng.next() % 2 == 0 ? .feeSpike(factor: 2 + rng.next() % 5)
                                             : .congestion(extraLoadPercent: rng.next() % 150, durationSeconds: 60))
            default:
                await chain.advance(blocks: 1 + rng.next() % 3)
            }
            for line in await chain.ledger.conservation() {
                #expect(line.holds, "step \(step), seed \(seed): \(line)")
            }
        }
        await chain.advance(blocks: 20)
        await chain.expectConserved()
    }
}
