public import FerryCore
import FerryCrypto

/// How much of one asset a simulated ledger has created and destroyed: the other side of the conservation check.
public struct SupplyAccount: Sendable, Hashable {
    /// Created at genesis or by the faucet.
    public var issued: Amount = .zero
    /// Minted by the gateway on burn/mint lanes (releases, and refunds of burned locks).
    public var bridgeMinted: Amount = .zero
    /// Burned by the gateway on burn/mint lanes (locks).
    public var bridgeBurned: Amount = .zero
    /// Fees destroyed (EIP-1559 base fee, L1 data fee, half the Solana signature fee).
    public var feesBurned: Amount = .zero

    public init() {}
}

/// Why a transaction or gateway call failed inside the ledger; mapped to ``ChainError`` at the adapter edge.
enum ExecutionFailure: Error, Sendable {
    case rejected(String)
    case insufficient(asset: String, needed: Amount, available: Amount)

    func chainError(_ chain: ChainID) -> ChainError {
        switch self {
        case let .rejected(reason): .rejected(chain, reason: reason)
        case let .insufficient(asset, needed, available): .insufficientFunds(chain, asset: asset, needed: needed, available: available)
        }
    }

    var reason: String {
        switch self {
        case let .rejected(reason): reason
        case let .insufficient(asset, needed, available): "insufficient \(asset): need \(needed), have \(available)"
        }
    }
}

/// The state after a block: balances, nonces, supply accounting, gateway and fee market.
/// A value type, so the ledger keeps one per recent block and a reorg simply restores one.
struct LedgerState: Sendable {
    var balances: [Address: [String: Amount]] = [:]
    var nonces: [Address: UInt64] = [:]
    var supply: [String: SupplyAccount] = [:]
    var gateway = GatewayState()
    var market: any FeeMarket

    init(market: any FeeMarket) { self.market = market }

    func balance(of account: Address, _ asset: String) -> Amount { balances[account]?[asset] ?? .zero }

    mutating func credit(_ account: Address, _ asset: String, _ amount: Amount) throws(ExecutionFailure) {
        do {
            balances[account, default: [:]][asset] = try balance(of: account, asset) + amount
        } catch {
            throw .rejected("balance overflow crediting \(amount) \(asset)")
        }
    }

    mutating func debit(_ account: Address, _ asset: String, _ amount: Amount) throws(ExecutionFailure) {
        let have = balance(of: account, asset)
        guard have >= amount else { throw .insufficient(asset: asset, needed: amount, available: have) }
        balances[account, default: [:]][asset] = have.saturatingSubtract(amount)
    }

    mutating func updateSupply(_ asset: String, _ change: (inout SupplyAccount) throws(AmountError) -> Void) throws(ExecutionFailure) {
        var account = supply[asset] ?? SupplyAccount()
        do { try change(&account) } catch { throw .rejected("supply accounting overflow for \(asset): \(error)") }
        supply[asset] = account
    }

    /// Every asset's balances + pool + burned against issued + minted.
    func conservation(assets: [String]) -> [AssetConservation] {
        assets.map { asset in
            var held = UInt256Sum()
            for (_, perAsset) in balances { held.add(perAsset[asset] ?? .zero) }
            let pool = gateway.pools[asset] ?? .zero
            let s = supply[asset] ?? SupplyAccount()
            return AssetConservation(asset: asset, balances: held.value, pool: pool, supply: s)
        }
    }
}

/// A sum that saturates instead of throwing (conservation reports must not fail to print).
struct UInt256Sum {
    var value: Amount = .zero
    mutating func add(_ a: Amount) { value = (try? value + a) ?? .max }
}

/// The conservation check for one asset on one ledger:
/// `balances + pool + feesBurned + bridgeBurned == issued + bridgeMinted`, to the unit.
public struct AssetConservation: Sendable, Hashable, CustomStringConvertible {
    public let asset: String
    /// Sum of all account balances (block producer included).
    public let balances: Amount
    /// Held by the gateway (locked value, liquidity, relay fees).
    public let pool: Amount
    public let supply: SupplyAccount

    /// Left side of the equation: where the value is now.
    public var accountedFor: Amount {
        var sum = UInt256Sum()
        for part in [balances, pool, supply.feesBurned, supply.bridgeBurned] { sum.add(part) }
        return sum.value
    }

    /// Right side: all value ever created on this ledger.
    public var created: Amount {
        var sum = UInt256Sum()
        sum.add(supply.issued)
        sum.add(supply.bridgeMinted)
        return sum.value
    }

    /// True when nothing was created or destroyed unaccounted.
    public var holds: Bool { accountedFor == created }

    public var description: String {
        "\(asset): balances \(balances) + pool \(pool) + fees burned \(supply.feesBurned) + bridge burned \(supply.bridgeBurned) = \(accountedFor); "
            + "issued \(supply.issued) + bridge minted \(supply.bridgeMinted) = \(created)" + (holds ? "" : "  <-- NOT CONSERVED")
    }
}
