import FerryCore
@testable import FerryRelayer
import Testing

@Suite("AttestationCollector")
struct AttestationCollectorTests {
    static let keys: [PrivateKey] = (1...6).map { i in
        // Deterministic keys 1...6; key 6 is an outsider.
        (try? PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [UInt8(i)])) ?? { preconditionFailure("valid scalar") }()
    }
    static let gatewayAddress = (try? EthereumAddress(hex: "0x000000000000000000000000000000000000fe44")) ?? { preconditionFailure() }()
    static let dest: ChainID = 8453
    static let collector = AttestationCollector(gateways: [
        dest: .init(domain: .ferry(chainId: 8453, gateway: gatewayAddress), members: Set(keys.prefix(5).map(\.address)), threshold: 3),
    ])
    static let id = Keccak256.hash("transfer 1")

    static func attest(_ key: PrivateKey, kind: AttestationKind = .release, domainChain: UInt64 = 8453, id: Bytes32 = id,
                       claimed: EthereumAddress? = nil, dest: ChainID = dest) throws -> SignedAttestation {
        let digest = SignedAttestation.digest(kind, id, in: .ferry(chainId: domainChain, gateway: gatewayAddress))
        return SignedAttestation(destChain: dest, messageId: Self.id, kind: kind, signer: claimed ?? key.address,
                                 signature: try key.sign(digest: digest))
    }

    @Test("an honest member's release and cancel attestations verify")
    func honest() throws {
        for kind in AttestationKind.allCases {
            #expect(try Self.collector.verify(Self.attest(Self.keys[0], kind: kind)) == Self.keys[0].address)
        }
    }

    @Test("byzantine attestations are rejected with the reason a metric can count")
    func byzantine() throws {
        #expect(throws: AttestationRejection.signerMismatch) { try Self.collector.verify(Self.attest(Self.keys[1], domainChain: 10)) }
        #expect(throws: AttestationRejection.signerMismatch) { try Self.collector.verify(Self.attest(Self.keys[1], id: Keccak256.hash("other"))) }
        #expect(throws: AttestationRejection.signerMismatch) { try Self.collector.verify(Self.attest(Self.keys[1], claimed: Self.keys[2].address)) }
        #expect(throws: AttestationRejection.notMember) { try Self.collector.verify(Self.attest(Self.keys[5])) }
        #expect(throws: AttestationRejection.unknownChain) { try Self.collector.verify(Self.attest(Self.keys[1], dest: 1)) }
    }

    @Test("a cancel signature does not count as a release")
    func kindsAreSeparate() throws {
        let cancel = try Self.attest(Self.keys[0], kind: .cancel)
        let relabelled = SignedAttestation(destChain: cancel.destChain, messageId: cancel.messageId, kind: .release,
                                           signer: cancel.signer, signature: cancel.signature)
        #expect(throws: AttestationRejection.signerMismatch) { try Self.collector.verify(relabelled) }
    }

    @Test("submission picks threshold signatures ordered by signer, skipping duplicates and outsiders")
    func submissionOrder() throws {
        let records = try Self.keys.map { key in
            let a = try Self.attest(key)
            return AttestationRecord(messageId: Self.id, kind: .release, signer: key.address.bytes,
                                     signature: a.signature.rsv, receivedAtMillis: 0)
        }
        let picked = try #require(Self.collector.signaturesForSubmission(records + records, destChain: Self.dest))
        #expect(picked.count == 3)
        let digest = SignedAttestation.digest(.release, Self.id, in: .ferry(chainId: 8453, gateway: Self.gatewayAddress))
        let signers = try picked.map { try $0.recoverAddress(digest: digest) }
        #expect(signers == signers.sorted())
        #expect(Set(signers).isSubset(of: Set(Self.keys.prefix(5).map(\.address))))
        #expect(Self.collector.signaturesForSubmission(Array(records.prefix(2)), destChain: Self.dest) == nil)
    }
}

@Suite("ExecutorSchedule")
struct ExecutorScheduleTests {
    @Test("exactly one relayer acts at once, the others back off by rank")
    func oneAtATime() throws {
        let relayers = AttestationCollectorTests.keys.prefix(5).map(\.address)
        let schedule = ExecutorSchedule(relayers: relayers, graceMillis: 1_000)
        for i in 0..<50 {
            let id = Keccak256.hash("id \(i)")
            let delays = relayers.compactMap { schedule.delayMillis(for: $0, messageId: id) }.sorted()
            #expect(delays == [0, 1_000, 3_000, 7_000, 15_000])
        }
        #expect(schedule.delayMillis(for: AttestationCollectorTests.keys[5].address, messageId: .zero) == nil)
    }

    @Test("primaries spread across the set")
    func spread() {
        let schedule = ExecutorSchedule(relayers: AttestationCollectorTests.keys.prefix(5).map(\.address), graceMillis: 1)
        let primaries = Set((0..<100).map { schedule.primary(for: Keccak256.hash("id \($0)")) })
        #expect(primaries.count == 5)
    }
}
