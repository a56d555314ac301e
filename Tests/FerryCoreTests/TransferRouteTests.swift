import FerryCore
import FerryCrypto
import Testing

@Suite("Multi-hop transfer routes")
struct TransferRouteTests {
    static let usdc = Keccak256.hash("USDC")
    static let payer = Address(Keccak256.hash("payer"))

    static func hop(_ from: UInt64, _ to: UInt64, amount: UInt64, receiver: Address = Address(Keccak256.hash("provider"))) -> Transfer {
        Transfer(sourceChain: ChainID(from), destChain: ChainID(to), nonce: 17, sender: payer, receiver: receiver,
                 sourceAsset: usdc, destAsset: usdc, amount: Amount(amount), fee: Amount(10), deadline: 2_000_000_000,
                 payloadHash: Keccak256.hash("what the payment is for"))
    }

    @Test("link commits each hop to the next, zeroes nonces and keeps the last hop's receiver and payload")
    func linkCommits() throws {
        let (first, onward) = try TransferRoute.link([Self.hop(1, 2, amount: 1_020), Self.hop(2, 3, amount: 1_010), Self.hop(3, 4, amount: 1_000)])
        #expect(onward.count == 2)
        #expect(first.forwards && onward[0].forwards && !onward[1].forwards)
        #expect(first.payloadHash == onward[0].routeCommitment)
        #expect(onward[0].payloadHash == onward[1].routeCommitment)
        #expect(onward[1].receiver == Address(Keccak256.hash("provider")))
        #expect(onward[1].payloadHash == Keccak256.hash("what the payment is for"))
        #expect(([first] + onward).allSatisfy { $0.nonce == 0 })
        // The commitment ignores the nonce the next gateway assigns, and nothing else.
        var assigned = onward[0]
        assigned.nonce = 99
        #expect(assigned.routeCommitment == onward[0].routeCommitment)
        assigned.amount = Amount(1_011)
        #expect(assigned.routeCommitment != onward[0].routeCommitment)
    }

    @Test("the forward address can be no EVM account")
    func forwardAddress() {
        #expect(!Address.forward.isEVMShaped)
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        let name: String
        let hop: Int
        let reason: String
        let edit: @Sendable (inout Transfer, inout [Transfer]) -> Void
        var testDescription: String { name }
    }

    @Test("validate names the hop that breaks the route", arguments: [
        Broken(name: "onward hops after a non-forwarding hop", hop: 0, reason: "does not forward") { first, _ in first.receiver = Address(Keccak256.hash("x")) },
        Broken(name: "wrong start chain", hop: 1, reason: "starts on") { _, onward in onward[0].sourceChain = ChainID(9) },
        Broken(name: "wrong asset", hop: 1, reason: "locks asset") { _, onward in onward[0].sourceAsset = Keccak256.hash("DAI") },
        Broken(name: "another sender", hop: 1, reason: "differs from the route's payer") { _, onward in onward[0].sender = Address(Keccak256.hash("thief")) },
        Broken(name: "hop changed after signing", hop: 1, reason: "does not commit") { _, onward in onward[0].amount = Amount(5_000) },
        Broken(name: "last hop forwards", hop: 1, reason: "no hop follows") { first, onward in
            onward[0].receiver = .forward
            first.payloadHash = onward[0].routeCommitment
        },
        Broken(name: "too many hops", hop: 1, reason: "at most 3") { _, onward in onward = Array(repeating: onward[0], count: 4) },
    ])
    func validateRefuses(_ broken: Broken) throws {
        var (first, onward) = try TransferRoute.link([Self.hop(1, 2, amount: 1_010), Self.hop(2, 3, amount: 1_000)])
        broken.edit(&first, &onward)
        #expect {
            try TransferRoute.validate(first, onward: onward)
        } throws: { error in
            guard case let CoreError.invalidRoute(hop, reason) = error else { return false }
            return hop == broken.hop && reason.contains(broken.reason)
        }
    }

    @Test("a single-hop transfer is a valid route; a forwarding one without onward hops is not")
    func singleHop() throws {
        try TransferRoute.validate(Self.hop(1, 2, amount: 5), onward: [])
        var forwarding = Self.hop(1, 2, amount: 5)
        forwarding.receiver = .forward
        #expect(throws: CoreError.self) { try TransferRoute.validate(forwarding, onward: []) }
        #expect(throws: CoreError.self) { _ = try TransferRoute.link([]) }
    }
}
