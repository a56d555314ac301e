import FerryCore
import FerryRelayer
import Testing

@Suite("Checkpoint batch rule")
struct CheckpointBatchRuleTests {
    static let source = ChainID(1), dest = ChainID(2), other = ChainID(3)

    /// Locks with nonces 0..<count; every third goes to `other`; block time 1,000 ms per nonce from 10,000.
    static func locks(_ count: Int) -> [CheckpointBatchRule.Lock] {
        (0..<count).map { i in
            let t = Transfer(sourceChain: source, destChain: i % 3 == 2 ? other : dest, nonce: UInt64(i),
                             sender: Address(Keccak256.hash("s")), receiver: Address(Keccak256.hash("r\(i)")),
                             sourceAsset: .zero, destAsset: .zero, amount: Amount(UInt64(100 + i)), fee: .zero, deadline: 2_000_000_000)
            return CheckpointBatchRule.Lock(transfer: t, blockTimeMillis: 10_000 + 1_000 * UInt64(i))
        }
    }

    @Test("a batch closes at B leaves: the leaves to the destination in nonce order, the range ending at the last leaf")
    func closesAtB() throws {
        let rule = try CheckpointBatchRule(maxLeaves: 3, windowMillis: 1_000_000)
        let locks = Self.locks(12)
        let batch = try #require(rule.nextBatch(to: Self.dest, from: Self.source, firstNonce: 0, locks: locks.shuffled(),
                                                finalizedTimeMillis: 10_000))
        #expect(batch.transfers.map(\.nonce) == [0, 1, 3])
        #expect(batch.checkpoint == FerryCheckpoint(sourceChain: 1, root: try MerkleTree(transfers: batch.transfers).root,
                                                    firstNonce: 0, lastNonce: 3, count: 3))
        // The next range starts after it and takes the next leaves.
        let next = try #require(rule.nextBatch(to: Self.dest, from: Self.source, firstNonce: 4, locks: locks, finalizedTimeMillis: 10_000))
        #expect(next.transfers.map(\.nonce) == [4, 6, 7])
        #expect(next.checkpoint.firstNonce == 4 && next.checkpoint.lastNonce == 7)
    }

    @Test("under B, a batch waits until the finalized time passes its first leaf's time plus W, then takes the leaves before that")
    func closesAtWindow() throws {
        let rule = try CheckpointBatchRule(maxLeaves: 128, windowMillis: 3_500)
        let locks = Self.locks(12)
        #expect(rule.nextBatch(to: Self.dest, from: Self.source, firstNonce: 0, locks: locks, finalizedTimeMillis: 13_499) == nil)
        let batch = try #require(rule.nextBatch(to: Self.dest, from: Self.source, firstNonce: 0, locks: locks, finalizedTimeMillis: 13_500))
        #expect(batch.transfers.map(\.nonce) == [0, 1, 3])  // block times 10.0, 11.0, 13.0 s; nonce 4 is at 14.0 s
        #expect(batch.checkpoint.lastNonce == 3)
    }

    @Test("relayers with different finalized views cut the same batch once it is closed for both")
    func deterministic() throws {
        let rule = CheckpointBatchRule.standard
        let all = Self.locks(300)
        let early = Array(all.prefix(200)), late = all
        let a = try #require(rule.nextBatch(to: Self.dest, from: Self.source, firstNonce: 0, locks: early, finalizedTimeMillis: 210_000))
        let b = try #require(rule.nextBatch(to: Self.dest, from: Self.source, firstNonce: 0, locks: late.reversed(), finalizedTimeMillis: 400_000))
        #expect(a == b)
        #expect(a.transfers.map(\.nonce) == [0, 1])  // W = 2 s: block times 10 and 11 s, before 12 s
    }

    @Test("a view with a missing or repeated nonce in the range cuts nothing; B must be 1 to 256")
    func gapsAndLimits() throws {
        let rule = try CheckpointBatchRule(maxLeaves: 3, windowMillis: 100_000)
        var locks = Self.locks(12)
        locks.remove(at: 2)  // nonce 2 (to another chain) unseen
        #expect(rule.nextBatch(to: Self.dest, from: Self.source, firstNonce: 0, locks: locks, finalizedTimeMillis: 1_000_000) == nil)
        var twice = Self.locks(12)
        twice.append(twice[1])
        #expect(rule.nextBatch(to: Self.dest, from: Self.source, firstNonce: 0, locks: twice, finalizedTimeMillis: 1_000_000) == nil)
        #expect(rule.nextBatch(to: Self.dest, from: Self.source, firstNonce: 12, locks: Self.locks(12), finalizedTimeMillis: 1_000_000) == nil)
        #expect(throws: CheckpointRuleError.maxLeavesOutOfRange(0)) { try CheckpointBatchRule(maxLeaves: 0, windowMillis: 1) }
        #expect(throws: CheckpointRuleError.maxLeavesOutOfRange(257)) { try CheckpointBatchRule(maxLeaves: 257, windowMillis: 1) }
    }
}
