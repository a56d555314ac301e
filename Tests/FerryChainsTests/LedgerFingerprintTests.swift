import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing

/// Pins the simulated ledger's observable behaviour: a seeded storm of every call, faucet and fault, hashed into one
/// fingerprint (every call's result, every transaction's status, the block hashes, which commit to the included
/// transactions and their order, balances, pools, gateway records, events and fee estimates).
///
/// The expected fingerprints were recorded from the snapshot-based ledger (full state copies per block) before its
/// state moved to an undo journal; a change here means the ledger's behaviour changed, which must be deliberate.
/// `FERRY_FINGERPRINT_DUMP=<directory>` writes each transcript there, to diff against another build's.
@Suite("Ledger fingerprint")
struct LedgerFingerprintTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let family: ChainFamily
        let mode: LaneMode
        let rateLimited: Bool
        let seed: UInt64
        let expected: String
        var testDescription: String { "\(family) \(mode)\(rateLimited ? " rate-limited" : ""), seed \(seed)" }
    }

    static let cases: [Case] = [
        Case(family: .evm, mode: .lockRelease, rateLimited: false, seed: 11, expected: "0x494af23bde918db94a76a8c2a684fbdc5f020890cca0d59084630f8aa7b89d5f"),
        Case(family: .rollup, mode: .lockRelease, rateLimited: false, seed: 12, expected: "0x09ef41ca85992a9e184dce0e5c40615a81a412da16afe3778623e6d752cf2e2a"),
        Case(family: .solana, mode: .lockRelease, rateLimited: true, seed: 13, expected: "0xda4a2fe3405d9a45769889f0e29b3e450fd6b1b8f33183380498692b32a81aa6"),
        Case(family: .bitcoin, mode: .lockRelease, rateLimited: false, seed: 14, expected: "0x49329ecf472d59de5907f3fb3a77818c90d7b26ca9ee4bde3fa80a3a22f6faa1"),
        Case(family: .evm, mode: .burnMint, rateLimited: true, seed: 15, expected: "0xab2d54b5a518f73fdaed7367ab79e9585594411d1477daf9db8be42efb38ab61"),
        Case(family: .solana, mode: .burnMint, rateLimited: false, seed: 16, expected: "0x52d795a038563810920bd4bfd15be4a5ee1c0f51b60338cc1440191fdc9d60d2"),
    ]

    @Test("a seeded storm of every call and fault ends in exactly the recorded chain and state", arguments: cases)
    func storm(_ c: Case) async throws {
        let text = try await Self.storm(c)
        let fingerprint = Keccak256.hash(Array(text.utf8)).hex
        // To find where two builds part ways, dump both transcripts and diff them.
        if let directory = ProcessInfo.processInfo.environment["FERRY_FINGERPRINT_DUMP"] {
            try text.write(toFile: "\(directory)/ledger-fingerprint-\(c.seed).txt", atomically: true, encoding: .utf8)
        }
        #expect(fingerprint == c.expected, "seed \(c.seed): \(text.count) characters of transcript")
    }

    /// Runs the storm and returns its transcript.
    static func storm(_ c: Case) async throws -> String {
        var rng = SeededGenerator(seed: c.seed)
        let limit = c.rateLimited ? RateLimit(capacity: Amount(400_000), refillPerSecond: Amount(50)) : nil
        let chain = try await TestChain.make(c.family, seed: c.seed, mode: c.mode, rateLimit: limit)
        let ledger = chain.ledger
        let id = chain.info.id
        let native = chain.info.nativeAsset.symbol
        let blockSeconds = max(1, chain.info.blockTimeMillis / 1000)
        let scenario = try FaultScenario.decode(json: """
            { "seed": \(c.seed), "faults": [
              { "chain": \(id.rawValue), "atSeconds": \(20 * blockSeconds), "fault": { "kind": "reorg", "depth": 2 } },
              { "chain": \(id.rawValue), "atSeconds": \(30 * blockSeconds), "fault": { "kind": "dropTransactions", "perMille": 400, "durationSeconds": \(4 * blockSeconds) } },
              { "chain": \(id.rawValue), "atSeconds": \(45 * blockSeconds), "fault": { "kind": "reorg", "depth": 3, "dropTransactions": true } } ] }
            """, source: "storm.json")
        await ledger.schedule(scenario)

        var users: [PrivateKeySigner] = []
        for i in 0..<4 { users.append(try await chain.account(UInt64(i), usdc: Amount(2_000_000))) }
        let relayer = try await chain.account(9)
        var log: [String] = []
        var txs: [TxID] = []
        var releases: [(Transfer, [Signature])] = []
        var cancellable: [Transfer] = []
        var messages: Set<Bytes32> = []
        func note(_ what: String, _ result: Result<TxID, ChainError>) {
            switch result {
            case let .success(tx): txs.append(tx); log.append("\(what) -> \(tx)")
            case let .failure(error): log.append("\(what) -> \(error)")
            }
        }
        func submit(_ call: GatewayCall, by signer: PrivateKeySigner, _ priority: FeePriority) async -> Result<TxID, ChainError> {
            do { return .success(try await ledger.submit(call, signer: signer, priority: priority)) } catch { return .failure(error) }
        }

        for step in 0..<200 {
            let user = users[Int(rng.next() % 4)]
            let priority = FeePriority.allCases[Int(rng.next() % 3)]
            do {
                switch rng.next() % 21 {
                case 0, 1, 2:
                    let amount = rng.next() % 10 == 0 ? 900_000 + rng.next() % 900_000 : 1_000 + rng.next() % 60_000
                    let deadline = rng.next() % 2 == 0 ? 3 * blockSeconds + 1 : 3_600
                    let t = try await chain.outbound(from: user, amount: amount, fee: 10 + rng.next() % 500, deadlineIn: deadline)
                    note("\(step) lock \(amount) by \(chain.address(user))", await submit(.lock(t), by: user, priority))
                case 3, 4:
                    let t = try await chain.inbound(to: chain.address(user), amount: 1 + rng.next() % 80_000, nonce: UInt64(step),
                                                    deadlineIn: rng.next() % 2 == 0 ? 2 * blockSeconds + 1 : 3_600)
                    let sigs = try chain.attest(.release(messageId: t.messageId), by: rng.next() % 2 == 0 ? [0, 1] : [2, 1])
                    messages.insert(t.messageId)
                    releases.append((t, sigs))
                    cancellable.append(t)
                    note("\(step) release \(t.messageId)", await submit(.release(t, signatures: sigs), by: relayer, priority))
                case 5:
                    let t = try await chain.inbound(to: chain.address(user), nonce: UInt64(step))
                    let sigs = try chain.attest(.release(messageId: t.messageId), by: [1])
                    note("\(step) bad release", await submit(.release(t, signatures: sigs), by: relayer, .high))
                case 6:
                    // The same release again: replace-by-fee while it is pending, refused once it is mined.
                    guard !releases.isEmpty else { continue }
                    let (t, sigs) = releases[Int(rng.next() % UInt64(releases.count))]
                    note("\(step) rerelease \(t.messageId)", await submit(.release(t, signatures: sigs), by: relayer, .high))
                case 7:
                    guard !cancellable.isEmpty else { continue }
                    let t = cancellable[Int(rng.next() % UInt64(cancellable.count))]
                    let sigs = try chain.attest(.cancel(messageId: t.messageId))
                    note("\(step) cancel \(t.messageId)", await submit(.cancel(t, signatures: sigs), by: relayer, priority))
                case 8:
                    let events = await ledger.poll(EventCursor(from: 0), maxBlocks: 1_000_000).events
                    let locks = events.compactMap { event -> Transfer? in if case let .locked(_, t, _, _) = event { t } else { nil } }
                    guard !locks.isEmpty else { continue }
                    let t = locks[Int(rng.next() % UInt64(locks.count))]
                    messages.insert(t.messageId)
                    let sigs = try chain.attest(.refund(messageId: t.messageId))
                    let owner = users.first { chain.address($0) == t.sender } ?? user
                    note("\(step) refund \(t.messageId)", await submit(.refund(t, signatures: sigs), by: owner, priority))
                case 9:
                    let asset = rng.next() % 2 == 0 ? native : "USDC"
                    let amount = Amount(1 + rng.next() % 5_000_000)
                    do { try await ledger.fund(chain.address(user), asset: asset, amount: amount); log.append("\(step) fund \(amount) \(asset)") } catch {
                        log.append("\(step) fund -> \(error)")
                    }
                case 10:
                    let amount = Amount(1 + rng.next() % 3_000_000)
                    do { try await ledger.addLiquidity("USDC", amount: amount); log.append("\(step) liquidity \(amount)") } catch {
                        log.append("\(step) liquidity -> \(error)")
                    }
                case 11:
                    let to = users[Int(rng.next() % 4)]
                    let amount = Amount(1 + rng.next() % 400_000)
                    do {
                        try await ledger.transfer(amount, asset: "USDC", to: chain.address(to), signer: user)
                        log.append("\(step) transfer \(amount)")
                    } catch { log.append("\(step) transfer -> \(error)") }
                case 12:
                    // A signed lock one nonce ahead (a gap the ledger must hold back), through the devnet entry point.
                    let from = chain.address(user)
                    let (nonce, bid) = try await ledger.transactionTemplate(from: from, kind: .lock, priority: priority)
                    let t = try await chain.outbound(from: user, amount: 2_000)
                    let ahead = nonce + rng.next() % 2
                    let hash = SimTransaction.signingHash(chain: id, from: from, nonce: ahead, call: .lock(t), bid: bid)
                    let tx = SimTransaction(chain: id, from: from, nonce: ahead, call: .lock(t), bid: bid, signature: try user.sign(digest: hash))
                    do { note("\(step) signed lock at \(ahead)", .success(try await ledger.submit(signed: tx))) } catch {
                        note("\(step) signed lock at \(ahead)", .failure(error))
                    }
                case 13:
                    let depth = 1 + rng.next() % 4
                    do { try await ledger.reorg(depth: depth, dropTransactions: rng.next() % 3 == 0); log.append("\(step) reorg \(depth)") } catch {
                        log.append("\(step) reorg \(depth) -> \(error)")
                    }
                case 14:
                    let fault: Fault = switch rng.next() % 4 {
                    case 0: .feeSpike(factor: 2 + rng.next() % 4)
                    case 1: .congestion(extraLoadPercent: 50 + rng.next() % 200, durationSeconds: 3 * blockSeconds)
                    case 2: .dropTransactions(perMille: 250, durationSeconds: 2 * blockSeconds)
                    default: .outage(durationSeconds: blockSeconds)
                    }
                    do { try await ledger.apply(fault); log.append("\(step) \(fault)") } catch { log.append("\(step) \(fault) -> \(error)") }
                case 15:
                    if rng.next() % 4 == 0 { await ledger.dropPending(); log.append("\(step) drop pending") } else { await chain.advance(blocks: 1) }
                default:
                    await chain.advance(blocks: 1 + rng.next() % 3)
                }
            } catch {
                // Building a transfer reads the head, which an outage refuses.
                log.append("\(step) threw \(error)")
            }
            log.append("  head \(await ledger.pendingCount) pending, nonce \(await ledger.pendingNonce(of: chain.address(user)))")
        }
        await chain.advance(blocks: 12)

        var out = log
        out.append("head \(try await ledger.head()) final \(try await ledger.finalizedHeight())")
        for tx in txs { out.append("\(tx): \(try await ledger.transaction(tx))") }
        let accounts = users.map(chain.address) + [chain.address(relayer), ledger.config.producer, Address(Keccak256.hash("receiver"))]
        for account in accounts {
            for asset in chain.info.assets.map(\.symbol) {
                out.append("\(account) \(asset) \(try await ledger.balance(of: account, asset: asset))")
            }
            out.append("\(account) nonce \(await ledger.pendingNonce(of: account))")
        }
        out.append("pools \(await ledger.pool("USDC")) \(await ledger.pool(native)); pending \(await ledger.pendingCount)")
        for line in await ledger.conservation() { out.append("\(line)") }
        let events = await ledger.poll(EventCursor(from: 0), maxBlocks: 1_000_000).events
        for event in events {
            out.append("\(event)")
            if case let .locked(id, _, _, _) = event { messages.insert(id) }
        }
        for message in messages.sorted() { out.append("\(message): \(try await ledger.gatewayState(of: message))") }
        out.append("\(try await ledger.feeEstimate())")
        return out.joined(separator: "\n")
    }
}
