@testable import FerryChains
import FerryChannels
import FerryCore
import FerryCrypto
import Testing

/// The simulated channel program (FerryChains) against the same rules `channel_smoke.py` checks on the Vyper
/// contract, and against FerryChannels' vouchers and channel ids (the ones checked against eth-account).
@Suite("Simulated channel program")
struct ChannelProgramTests {
    struct Balances: ChannelBalances {
        var accounts: [Address: [String: Amount]] = [:]

        mutating func debit(_ account: Address, _ asset: String, _ amount: Amount) throws(ExecutionFailure) {
            let have = accounts[account]?[asset] ?? .zero
            guard have >= amount else { throw .insufficient(asset: asset, needed: amount, available: have) }
            accounts[account, default: [:]][asset] = have.saturatingSubtract(amount)
        }

        mutating func credit(_ account: Address, _ asset: String, _ amount: Amount) throws(ExecutionFailure) {
            do { accounts[account, default: [:]][asset] = try (accounts[account]?[asset] ?? .zero) + amount } catch {
                throw .rejected("overflow")
            }
        }

        func of(_ account: Address, _ asset: String = "USD") -> Amount { accounts[account]?[asset] ?? .zero }
    }

    static let usd = try! Bytes32(leftPadding: [0x55, 0x53, 0x44])

    struct World {
        let program: ChannelProgram
        let contract: ChannelContract
        let agent, provider, stranger: PrivateKey
        let funder = Address(try! Bytes32(leftPadding: [0xf0]))
        var state = ChannelProgramState()
        var balances = Balances()
        let start: UInt64 = 1_800_000_000

        init() throws {
            let eth = AssetInfo(symbol: "ETH", decimals: 18, gatewayID: .zero)
            let usd = AssetInfo(symbol: "USD", decimals: 6, gatewayID: ChannelProgramTests.usd)
            let info = ChainInfo(id: 1337, name: "sim", family: .evm, nativeAsset: eth, assets: [eth, usd], finalityDepth: 1,
                                 blockTimeMillis: 1_000, gateway: try EthereumAddress(hex: "0x" + String(repeating: "47", count: 20)))
            let address = try EthereumAddress(hex: "0x" + String(repeating: "c4", count: 20))
            program = ChannelProgram(chain: info, contract: address)
            contract = ChannelContract(chainId: 1337, address: address)
            agent = try PrivateKey(hex: "0x" + String(repeating: "a1", count: 32))
            provider = try PrivateKey(hex: "0x" + String(repeating: "b2", count: 32))
            stranger = try PrivateKey(hex: "0x" + String(repeating: "c3", count: 32))
            try balances.credit(funder, "USD", 1_000_000)
        }

        func account(_ key: PrivateKey) -> Address { Address(key.address.bytes32) }

        func parameters(expiry: UInt64, salt: UInt8 = 1) throws -> ChannelParameters {
            ChannelParameters(agent: agent.address, provider: provider.address, asset: ChannelProgramTests.usd,
                              expiry: expiry, salt: try Bytes32(leftPadding: [salt]))
        }

        mutating func open(_ p: ChannelParameters, _ amount: Amount, at now: UInt64) throws(ExecutionFailure) -> ChannelOutcome {
            try program.open(sender: funder, agent: Address(p.agent.bytes32), provider: Address(p.provider.bytes32), asset: p.asset,
                             amount: amount, expiry: p.expiry, salt: p.salt, nowSeconds: now, state: &state, balances: &balances)
        }

        func voucher(_ id: Bytes32, _ amount: Amount, key: PrivateKey? = nil) throws -> SignedVoucher {
            try Voucher(channelId: id, cumulativeAmount: amount).sign(with: key ?? agent, in: contract)
        }

        mutating func claim(_ v: SignedVoucher, by key: PrivateKey? = nil, at now: UInt64) throws(ExecutionFailure) -> ChannelOutcome {
            try program.claim(sender: account(key ?? provider), channelId: v.voucher.channelId, cumulativeAmount: v.voucher.cumulativeAmount,
                              signature: v.signature, nowSeconds: now, state: &state, balances: &balances)
        }

        mutating func close(_ v: SignedVoucher, by key: PrivateKey? = nil, at now: UInt64) throws(ExecutionFailure) -> ChannelOutcome {
            try program.close(sender: account(key ?? provider), channelId: v.voucher.channelId, cumulativeAmount: v.voucher.cumulativeAmount,
                              signature: v.signature, nowSeconds: now, state: &state, balances: &balances)
        }
    }

    /// The contract's revert string of a refused call, or nil when it succeeded.
    static func refusal(_ body: () throws(ExecutionFailure) -> ChannelOutcome) -> String? {
        do { _ = try body(); return nil } catch { return error.reason }
    }

    @Test("channel ids and voucher digests agree with FerryChannels (and so with eth-account and the contract)")
    func agreesWithFerryChannels() throws {
        let w = try World()
        let p = try w.parameters(expiry: w.start + 3_600)
        let id = w.program.channelId(agent: Address(p.agent.bytes32), provider: Address(p.provider.bytes32), asset: p.asset,
                                     expiry: p.expiry, salt: p.salt)
        #expect(id == p.id(in: w.contract))
        let voucher = Voucher(channelId: id, cumulativeAmount: 123_456)
        #expect(w.program.voucherDigest(channelId: id, cumulativeAmount: 123_456) == voucher.digest(in: w.contract))
    }

    @Test("open by a third party, re-open as top-up, claim, close: the provider gets the voucher, the agent the rest")
    func lifecycle() throws {
        var w = try World()
        let p = try w.parameters(expiry: w.start + 3_600)
        let id = p.id(in: w.contract)
        let opened = try w.open(p, 1_000, at: w.start)
        #expect(opened == .opened(channelId: id, deposit: 1_000))
        let reopened = try w.open(p, 500, at: w.start)
        #expect(reopened == .toppedUp(channelId: id, amount: 500, deposit: 1_500))
        let toppedUp = try w.program.topUp(sender: w.funder, channelId: id, amount: 100, nowSeconds: w.start, state: &w.state,
                                           balances: &w.balances)
        #expect(toppedUp == .toppedUp(channelId: id, amount: 100, deposit: 1_600))
        #expect(w.balances.of(w.funder) == 998_400)
        let claimed = try w.claim(w.voucher(id, 300), at: w.start + 10)
        #expect(claimed == .claimed(channelId: id, cumulativeAmount: 300, amount: 300))
        let closed = try w.close(w.voucher(id, 900), at: w.start + 3_600)
        #expect(closed == .closed(channelId: id, cumulativeAmount: 900, toProvider: 600, toAgent: 700))
        #expect(w.balances.of(w.account(w.provider)) == 900)
        #expect(w.balances.of(w.account(w.agent)) == 700)
        #expect(w.state.held["USD"] == .zero)
    }

    @Test("refuses what the contract refuses, with the contract's reasons, and changes nothing when it does")
    func refusals() throws {
        var w = try World()
        let p = try w.parameters(expiry: w.start + 3_600)
        let id = p.id(in: w.contract)
        _ = try w.open(p, 1_000, at: w.start)
        _ = try w.claim(w.voucher(id, 300), at: w.start)
        let other = try w.parameters(expiry: w.start + 3_600, salt: 2)
        _ = try w.open(other, 1_000, at: w.start)
        let before = (w.state.channels, w.state.held, w.balances.accounts)
        let now = w.start + 5
        let cases: [(String, String, (inout World) throws(ExecutionFailure) -> ChannelOutcome)] = [
            ("forged signature", "ferry: voucher not signed by the agent", { w throws(ExecutionFailure) in
                try w.claim(try! w.voucher(id, 400, key: w.stranger), at: now) }),
            ("voucher for another channel", "ferry: voucher not signed by the agent", { w throws(ExecutionFailure) in
                let moved = try! w.voucher(other.id(in: w.contract), 400)
                return try w.claim(SignedVoucher(voucher: Voucher(channelId: id, cumulativeAmount: 400), signature: moved.signature), at: now) }),
            ("replayed voucher", "ferry: voucher not above the amount already paid", { w throws(ExecutionFailure) in
                try w.claim(try! w.voucher(id, 300), at: now) }),
            ("lower cumulative amount", "ferry: voucher not above the amount already paid", { w throws(ExecutionFailure) in
                try w.claim(try! w.voucher(id, 200), at: now) }),
            ("close with an older voucher", "ferry: voucher below the amount already paid", { w throws(ExecutionFailure) in
                try w.close(try! w.voucher(id, 200), at: now) }),
            ("over the deposit", "ferry: voucher exceeds the deposit", { w throws(ExecutionFailure) in
                try w.claim(try! w.voucher(id, 1_001), at: now) }),
            ("not the provider", "ferry: caller is not the provider", { w throws(ExecutionFailure) in
                try w.claim(try! w.voucher(id, 400), by: w.stranger, at: now) }),
            ("after expiry", "ferry: channel expired", { w throws(ExecutionFailure) in
                try w.claim(try! w.voucher(id, 400), at: w.start + 3_601) }),
            ("refund before expiry", "ferry: channel not expired", { w throws(ExecutionFailure) in
                try w.program.refund(channelId: id, nowSeconds: w.start + 3_600, state: &w.state, balances: &w.balances) }),
            ("unknown channel", "ferry: unknown channel", { w throws(ExecutionFailure) in
                try w.program.refund(channelId: .zero, nowSeconds: now, state: &w.state, balances: &w.balances) }),
            ("zero amount", "ferry: zero amount", { w throws(ExecutionFailure) in try w.open(p, 0, at: now) }),
            ("expiry in the past", "ferry: expiry in the past", { w throws(ExecutionFailure) in
                try w.open(try! w.parameters(expiry: now, salt: 9), 5, at: now) }),
            ("more than the funder has", "insufficient USD: need 2000000, have 998000", { w throws(ExecutionFailure) in
                try w.open(p, 2_000_000, at: now) }),
        ]
        for (name, reason, call) in cases {
            let refused = Self.refusal { () throws(ExecutionFailure) in try call(&w) }
            #expect(refused == reason, "\(name)")
            #expect(w.state.channels == before.0 && w.state.held == before.1 && w.balances.accounts == before.2, "\(name) changed state")
        }
    }

    @Test("close and refund are exclusive, and a channel ends once")
    func endsOnce() throws {
        var w = try World()
        let p = try w.parameters(expiry: w.start + 100)
        let id = p.id(in: w.contract)
        _ = try w.open(p, 1_000, at: w.start)
        _ = try w.close(w.voucher(id, 250), at: w.start + 1)
        let after = w.start + 101
        let closeAgain = Self.refusal { () throws(ExecutionFailure) in try w.close(try! w.voucher(id, 300), at: w.start + 2) }
        #expect(closeAgain == "ferry: channel closed")
        let refundClosed = Self.refusal { () throws(ExecutionFailure) in
            try w.program.refund(channelId: id, nowSeconds: after, state: &w.state, balances: &w.balances) }
        #expect(refundClosed == "ferry: channel closed")
        let reopen = Self.refusal { () throws(ExecutionFailure) in try w.open(p, 5, at: w.start + 2) }
        #expect(reopen == "ferry: channel already ended")

        let q = try w.parameters(expiry: w.start + 100, salt: 7)
        let qid = q.id(in: w.contract)
        _ = try w.open(q, 1_000, at: w.start)
        _ = try w.claim(w.voucher(qid, 400), at: w.start + 100)   // at the expiry, inclusive
        let refunded = try w.program.refund(channelId: qid, nowSeconds: after, state: &w.state, balances: &w.balances)
        #expect(refunded == .refunded(channelId: qid, amount: 600))
        let refundAgain = Self.refusal { () throws(ExecutionFailure) in
            try w.program.refund(channelId: qid, nowSeconds: after, state: &w.state, balances: &w.balances) }
        #expect(refundAgain == "ferry: channel already refunded")
        let closeRefunded = Self.refusal { () throws(ExecutionFailure) in try w.close(try! w.voucher(qid, 500), at: w.start + 50) }
        #expect(closeRefunded == "ferry: channel refunded")
        #expect(w.balances.of(w.account(w.agent)) == 1_350)
        #expect(w.balances.of(w.account(w.provider)) == 650)
        #expect(w.state.held["USD"] == .zero)
    }
}
