import FerryChains
import FerryCore
@testable import FerryRelayer
import FerryWire
import Foundation
import Testing

/// The executor's signature check: peers' attestations are held unverified and checked only when a submission
/// needs them, one at a time until `k` are valid; every failure is counted and its signer tried last next time.
@Suite("Lazy attestation checks")
struct LazyVerificationTests {
    /// A node (relayer 0 of a 5-of-threshold-3 network) holding one open, attested transfer to chain B.
    struct Fixture {
        let network: RelayerNetwork
        let node: RelayerNode
        let context: RelayerNode.Context
        let gossip: GossipNode

        init() async throws {
            network = try await RelayerNetwork()
            gossip = try GossipNode(configuration: .init(keyPair: try CurveKeyPair.generate(), allowedPeers: []))
            node = try network.node(0, gossip: gossip)
            let b = network.adapter(RelayerNetwork.chainB)
            let members = Set(network.keys.map(\.address))
            context = RelayerNode.Context(
                collector: AttestationCollector(gateways: [
                    RelayerNetwork.chainB: .init(domain: b.info.attestationDomain, members: members, threshold: 3),
                ]),
                schedules: [RelayerNetwork.chainB: ExecutorSchedule(relayers: Array(members), graceMillis: 1_000)])
        }

        /// Opens a transfer with this node's own release signature and returns its id.
        func open(_ n: UInt64) throws -> Bytes32 {
            let sender = try PrivateKeySigner(seed: 99, index: n)
            let transfer = network.transfer(from: sender, on: RelayerNetwork.chainA, to: RelayerNetwork.chainB, amount: 1_000 + n, deadline: 4_000_000_000)
            let id = transfer.messageId
            let own = try network.keys[0].key.sign(digest: digest(id))
            node.book.state.withLock { s in
                var entry = OpenTransfer(transfer: transfer, state: .attested, lockHeight: 1)
                entry.own[.release] = own
                s.open[id] = entry
            }
            return id
        }

        func digest(_ id: Bytes32) -> Bytes32 {
            SignedAttestation.digest(.release, id, in: network.adapter(RelayerNetwork.chainB).info.attestationDomain)
        }

        /// A peer attestation frame entry: `key` signs `digest`, claiming to be `claimed`.
        func attestation(_ id: Bytes32, by key: PrivateKey, claiming claimed: EthereumAddress? = nil, digest: Bytes32? = nil) throws -> Attestation {
            let signature = try key.sign(digest: digest ?? self.digest(id))
            return try Attestation(destChain: RelayerNetwork.chainB, messageId: id, action: .release,
                                   signer: SignerAddress(bytes: (claimed ?? key.address).bytes), signature: AttestationSignature(bytes: signature.rsv))
        }

        func close() async { await gossip.close() }
    }

    @Test("an executor checks only as many candidates as it needs, counts each failure, and submits k valid ones in signer order")
    func checksOnlyWhatItNeeds() async throws {
        let f = try await Fixture()
        let id = try f.open(1)
        let keys = f.network.keys.map(\.key)
        // Relayer 1's slot holds a forgery (relayer 4 signing, claiming to be 1) ahead of relayer 1's real signature.
        let forged = try f.attestation(id, by: keys[4], claiming: keys[1].address)
        f.node.accept([forged, try f.attestation(id, by: keys[1]), try f.attestation(id, by: keys[2]), try f.attestation(id, by: keys[3])], f.context)
        #expect(f.node.stats.snapshot.received == 4)
        #expect(f.node.attestationCount(id) == 4, "own + three distinct claimed signers")

        let picked = try #require(f.node.collectSignatures(id, kind: .release, destChain: RelayerNetwork.chainB, f.context))
        #expect(picked.signatures.count == 3)
        let signers = try picked.signatures.map { try $0.recoverAddress(digest: f.digest(id)) }
        #expect(signers == signers.sorted(), "ascending signer order, as the gateways require")
        #expect(signers.contains(keys[0].address), "the node's own signature is used without a check")
        #expect(!signers.contains(keys[4].address))
        let stats = f.node.stats.snapshot
        #expect(stats.rejected[.signerMismatch] == 1, "the forgery was checked and counted: \(stats.rejected)")
        #expect(stats.accepted[.release] == 2, "exactly k - 1 peer signatures verified: \(stats.accepted)")
        // The third valid candidate was never needed, so never checked: it is still held, unverified.
        let left = f.node.book.read { $0.candidates[CandidateKey(messageId: id, kind: .release)] ?? [] }
        #expect(left.count == 1)
        await f.close()
    }

    @Test("a signer whose signature failed is tried last afterwards")
    func failingSignerGoesLast() async throws {
        let f = try await Fixture()
        let keys = f.network.keys.map(\.key)
        // Relayer 1 signs the wrong digest for the first transfer: with only relayer 2 besides, both are needed,
        // so the bad one is checked, fails, and is on record.
        let first = try f.open(1)
        f.node.accept([try f.attestation(first, by: keys[1], digest: Keccak256.hash("not a release")),
                       try f.attestation(first, by: keys[2])], f.context)
        #expect(f.node.collectSignatures(first, kind: .release, destChain: RelayerNetwork.chainB, f.context) == nil)
        #expect(f.node.stats.snapshot.rejected[.signerMismatch] == 1)
        f.node.accept([try f.attestation(first, by: keys[3])], f.context)
        _ = try #require(f.node.collectSignatures(first, kind: .release, destChain: RelayerNetwork.chainB, f.context))
        // For the next transfer, whatever the address order, relayer 1's record puts it behind relayers 2 and 3,
        // which suffice: its (bad) signature is not even checked.
        let second = try f.open(2)
        f.node.accept([try f.attestation(second, by: keys[1], digest: Keccak256.hash("still not")),
                       try f.attestation(second, by: keys[2]), try f.attestation(second, by: keys[3])], f.context)
        let picked = try #require(f.node.collectSignatures(second, kind: .release, destChain: RelayerNetwork.chainB, f.context))
        #expect(picked.signatures.count == 3)
        #expect(f.node.stats.snapshot.rejected[.signerMismatch] == 1, "relayer 1's second bad signature was never needed")
        await f.close()
    }

    @Test("attestations that need no check are refused on arrival: non-members, unknown chains, replays of settled ids")
    func refusedOnArrival() async throws {
        let f = try await Fixture()
        let id = try f.open(1)
        let stranger = try PrivateKey.generate()
        f.node.accept([try f.attestation(id, by: stranger)], f.context)
        #expect(f.node.stats.snapshot.rejected[.notMember] == 1)
        let elsewhere = try Attestation(destChain: 77, messageId: id, action: .release, signer: SignerAddress(bytes: f.network.keys[1].address.bytes),
                                        signature: AttestationSignature(bytes: try f.network.keys[1].key.sign(digest: f.digest(id)).rsv))
        f.node.accept([elsewhere], f.context)
        #expect(f.node.stats.snapshot.rejected[.unknownChain] == 1)
        var batch = JournalBatch(atMillis: 0)
        f.node.book.state.withLock { s in _ = s.move(id, to: .released, &batch) }
        f.node.accept([try f.attestation(id, by: f.network.keys[2].key)], f.context)
        #expect(f.node.stats.snapshot.replays == 1)
        #expect(f.node.stats.snapshot.received == 0)
        await f.close()
    }
}
