import FerryCore
import FerryCrypto

/// Where a simulated channel is in its life; a channel ends exactly once (`FerryChannel.vy`'s OPEN/CLOSED/REFUNDED).
enum SimChannelStatus: Sendable, Hashable {
    case open, closed, refunded
}

/// One channel in the simulated channel program's storage (`FerryChannel.vy`'s `Channel`).
struct SimChannel: Sendable, Hashable {
    let agent: Address
    let provider: Address
    /// The gateway asset id (zero: the native coin) and the ledger's symbol for it.
    let asset: Bytes32
    let symbol: String
    var deposit: Amount
    var paid: Amount
    let expiry: UInt64
    var status: SimChannelStatus
}

/// The channel program's storage: channels by id and the value it holds per asset symbol (the sum over open
/// channels of `deposit - paid`, which the conservation check counts beside the gateway's pools).
struct ChannelProgramState: Sendable {
    var channels: [Bytes32: SimChannel] = [:]
    var held: [String: Amount] = [:]
}

/// Accounts the channel program moves value between; ``LedgerState`` is one.
protocol ChannelBalances {
    mutating func debit(_ account: Address, _ asset: String, _ amount: Amount) throws(ExecutionFailure)
    mutating func credit(_ account: Address, _ asset: String, _ amount: Amount) throws(ExecutionFailure)
}

extension LedgerState: ChannelBalances {}

/// What a successful channel call did.
enum ChannelOutcome: Sendable, Hashable {
    case opened(channelId: Bytes32, deposit: Amount)
    case toppedUp(channelId: Bytes32, amount: Amount, deposit: Amount)
    case claimed(channelId: Bytes32, cumulativeAmount: Amount, amount: Amount)
    case closed(channelId: Bytes32, cumulativeAmount: Amount, toProvider: Amount, toAgent: Amount)
    case refunded(channelId: Bytes32, amount: Amount)
}

/// The voucher-channel rules of `chains/contracts/FerryChannel.vy` on a simulated ledger, refusal for refusal
/// (the reasons are the contract's revert strings):
/// - `channelId = keccak256(abi.encode(chainId, contract, agent, provider, asset, expiry, salt))`;
/// - open by anyone on behalf of an agent (the caller pays), re-open of an open id is a top-up; topUp before expiry;
/// - claim and close by the provider on the agent's EIP-712 `Voucher(bytes32 channelId,uint256 cumulativeAmount)`
///   in the domain {"Ferry Channel", "1", chainId, contract}, low-s only, never above the deposit, never below what
///   was paid (claim: strictly above), until the expiry inclusive; close returns `deposit - cumulativeAmount` to
///   the agent; refund (anyone) only after the expiry; a channel ends once.
/// Every call is all-or-nothing: it works on copies and commits only when nothing threw.
/// Funding from a Ferry release (`openFromRelease`) is not simulated yet; the ledger wiring is the next step.
struct ChannelProgram: Sendable {
    let chainId: UInt64
    let contract: EthereumAddress
    /// The voucher domain of this program (its separator is hashed once, here).
    let domain: EIP712Domain
    private let symbols: [Bytes32: String]

    static let voucherTypeHash = Keccak256.hash("Voucher(bytes32 channelId,uint256 cumulativeAmount)")

    init(chain: ChainInfo, contract: EthereumAddress) {
        chainId = chain.id.rawValue
        self.contract = contract
        domain = EIP712Domain(name: "Ferry Channel", version: "1", chainId: chain.id.rawValue, verifyingContract: contract)
        var symbols: [Bytes32: String] = [:]
        for asset in chain.assets { symbols[asset.gatewayID] = asset.symbol }
        self.symbols = symbols
    }

    func channelId(agent: Address, provider: Address, asset: Bytes32, expiry: UInt64, salt: Bytes32) -> Bytes32 {
        var words = [UInt8]()
        words.reserveCapacity(7 * 32)
        words += Bytes32(bigEndianWords: (0, 0, 0, chainId)).bytes
        words += contract.bytes32.bytes
        words += agent.bytes32.bytes
        words += provider.bytes32.bytes
        words += asset.bytes
        words += Bytes32(bigEndianWords: (0, 0, 0, expiry)).bytes
        words += salt.bytes
        return Keccak256.hash(words)
    }

    func voucherDigest(channelId: Bytes32, cumulativeAmount: Amount) -> Bytes32 {
        domain.digest(structHash: Keccak256.hash(Self.voucherTypeHash.bytes + channelId.bytes + cumulativeAmount.bigEndianBytes.bytes))
    }

    // MARK: opening

    func open(sender: Address, agent: Address, provider: Address, asset: Bytes32, amount: Amount, expiry: UInt64,
              salt: Bytes32, nowSeconds: UInt64, state: inout ChannelProgramState,
              balances: inout some ChannelBalances) throws(ExecutionFailure) -> ChannelOutcome {
        let id = channelId(agent: agent, provider: provider, asset: asset, expiry: expiry, salt: salt)
        var next = state, funds = balances
        let outcome = try credit(id, agent: agent, provider: provider, asset: asset, amount: amount, expiry: expiry,
                                 nowSeconds: nowSeconds, state: &next)
        let symbol = next.channels[id]?.symbol ?? ""
        try funds.debit(sender, symbol, amount)
        try hold(symbol, adding: amount, state: &next)
        state = next
        balances = funds
        return outcome
    }

    func topUp(sender: Address, channelId id: Bytes32, amount: Amount, nowSeconds: UInt64, state: inout ChannelProgramState,
               balances: inout some ChannelBalances) throws(ExecutionFailure) -> ChannelOutcome {
        guard var channel = state.channels[id], channel.status == .open else { throw .rejected("ferry: channel not open") }
        guard channel.expiry >= nowSeconds else { throw .rejected("ferry: channel expired") }
        guard !amount.isZero else { throw .rejected("ferry: zero amount") }
        var next = state, funds = balances
        do { channel.deposit = try channel.deposit + amount } catch { throw .rejected("ferry: deposit overflows") }
        next.channels[id] = channel
        try funds.debit(sender, channel.symbol, amount)
        try hold(channel.symbol, adding: amount, state: &next)
        state = next
        balances = funds
        return .toppedUp(channelId: id, amount: amount, deposit: channel.deposit)
    }

    // MARK: paying

    func claim(sender: Address, channelId id: Bytes32, cumulativeAmount: Amount, signature: Signature, nowSeconds: UInt64,
               state: inout ChannelProgramState, balances: inout some ChannelBalances) throws(ExecutionFailure) -> ChannelOutcome {
        var channel = try redeemable(id, sender: sender, cumulativeAmount: cumulativeAmount, signature: signature,
                                     nowSeconds: nowSeconds, state: state)
        guard cumulativeAmount > channel.paid else { throw .rejected("ferry: voucher not above the amount already paid") }
        let amount = cumulativeAmount.saturatingSubtract(channel.paid)
        channel.paid = cumulativeAmount
        var next = state, funds = balances
        next.channels[id] = channel
        try release(channel.symbol, amount, to: channel.provider, state: &next, balances: &funds)
        state = next
        balances = funds
        return .claimed(channelId: id, cumulativeAmount: cumulativeAmount, amount: amount)
    }

    func close(sender: Address, channelId id: Bytes32, cumulativeAmount: Amount, signature: Signature, nowSeconds: UInt64,
               state: inout ChannelProgramState, balances: inout some ChannelBalances) throws(ExecutionFailure) -> ChannelOutcome {
        var channel = try redeemable(id, sender: sender, cumulativeAmount: cumulativeAmount, signature: signature,
                                     nowSeconds: nowSeconds, state: state)
        guard cumulativeAmount >= channel.paid else { throw .rejected("ferry: voucher below the amount already paid") }
        let toProvider = cumulativeAmount.saturatingSubtract(channel.paid)
        let toAgent = channel.deposit.saturatingSubtract(cumulativeAmount)
        channel.paid = cumulativeAmount
        channel.status = .closed
        var next = state, funds = balances
        next.channels[id] = channel
        try release(channel.symbol, toProvider, to: channel.provider, state: &next, balances: &funds)
        try release(channel.symbol, toAgent, to: channel.agent, state: &next, balances: &funds)
        state = next
        balances = funds
        return .closed(channelId: id, cumulativeAmount: cumulativeAmount, toProvider: toProvider, toAgent: toAgent)
    }

    func refund(channelId id: Bytes32, nowSeconds: UInt64, state: inout ChannelProgramState,
                balances: inout some ChannelBalances) throws(ExecutionFailure) -> ChannelOutcome {
        guard var channel = state.channels[id] else { throw .rejected("ferry: unknown channel") }
        guard channel.status != .closed else { throw .rejected("ferry: channel closed") }
        guard channel.status != .refunded else { throw .rejected("ferry: channel already refunded") }
        guard nowSeconds > channel.expiry else { throw .rejected("ferry: channel not expired") }
        let amount = channel.deposit.saturatingSubtract(channel.paid)
        channel.status = .refunded
        var next = state, funds = balances
        next.channels[id] = channel
        try release(channel.symbol, amount, to: channel.agent, state: &next, balances: &funds)
        state = next
        balances = funds
        return .refunded(channelId: id, amount: amount)
    }

    // MARK: internals

    private func credit(_ id: Bytes32, agent: Address, provider: Address, asset: Bytes32, amount: Amount, expiry: UInt64,
                        nowSeconds: UInt64, state: inout ChannelProgramState) throws(ExecutionFailure) -> ChannelOutcome {
        guard !amount.isZero else { throw .rejected("ferry: zero amount") }
        guard var channel = state.channels[id] else {
            guard agent.bytes32 != .zero else { throw .rejected("ferry: zero agent") }
            guard provider.bytes32 != .zero else { throw .rejected("ferry: zero provider") }
            guard agent != provider else { throw .rejected("ferry: agent is the provider") }
            guard expiry > nowSeconds else { throw .rejected("ferry: expiry in the past") }
            guard agent.isEVMShaped, provider.isEVMShaped else { throw .rejected("ferry: not an EVM address") }
            guard let symbol = symbols[asset] else { throw .rejected("ferry: unknown asset \(asset) on chain \(chainId)") }
            state.channels[id] = SimChannel(agent: agent, provider: provider, asset: asset, symbol: symbol, deposit: amount,
                                            paid: .zero, expiry: expiry, status: .open)
            return .opened(channelId: id, deposit: amount)
        }
        guard channel.status == .open else { throw .rejected("ferry: channel already ended") }
        guard channel.expiry >= nowSeconds else { throw .rejected("ferry: channel expired") }
        do { channel.deposit = try channel.deposit + amount } catch { throw .rejected("ferry: deposit overflows") }
        state.channels[id] = channel
        return .toppedUp(channelId: id, amount: amount, deposit: channel.deposit)
    }

    private func redeemable(_ id: Bytes32, sender: Address, cumulativeAmount: Amount, signature: Signature,
                            nowSeconds: UInt64, state: ChannelProgramState) throws(ExecutionFailure) -> SimChannel {
        guard let channel = state.channels[id] else { throw .rejected("ferry: unknown channel") }
        guard channel.status != .closed else { throw .rejected("ferry: channel closed") }
        guard channel.status != .refunded else { throw .rejected("ferry: channel refunded") }
        guard sender == channel.provider else { throw .rejected("ferry: caller is not the provider") }
        guard nowSeconds <= channel.expiry else { throw .rejected("ferry: channel expired") }
        guard cumulativeAmount <= channel.deposit else { throw .rejected("ferry: voucher exceeds the deposit") }
        // `Signature` admits only low-s values with a valid recovery id, the contract's two signature checks.
        let digest = voucherDigest(channelId: id, cumulativeAmount: cumulativeAmount)
        guard let signer = try? signature.recoverAddress(digest: digest) else { throw .rejected("ferry: invalid signature") }
        guard signer.bytes32 == channel.agent.bytes32 else { throw .rejected("ferry: voucher not signed by the agent") }
        return channel
    }

    private func hold(_ symbol: String, adding amount: Amount, state: inout ChannelProgramState) throws(ExecutionFailure) {
        do { state.held[symbol] = try (state.held[symbol] ?? .zero) + amount } catch {
            throw .rejected("ferry: channel holdings overflow")
        }
    }

    private func release(_ symbol: String, _ amount: Amount, to account: Address, state: inout ChannelProgramState,
                         balances: inout some ChannelBalances) throws(ExecutionFailure) {
        guard !amount.isZero else { return }
        let held = state.held[symbol] ?? .zero
        guard held >= amount else { throw .insufficient(asset: symbol, needed: amount, available: held) }
        state.held[symbol] = held.saturatingSubtract(amount)
        try balances.credit(account, symbol, amount)
    }
}
