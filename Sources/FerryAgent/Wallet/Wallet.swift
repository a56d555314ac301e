public import FerryChains
public import FerryCore
public import FerryCrypto
import Foundation

/// Why a wallet could not be loaded or used.
public enum WalletError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The keystore file could not be read.
    case unreadable(path: String, reason: String)
    /// The keystore did not decrypt (wrong password, corrupt file, unsupported parameters).
    case keystore(path: String, reason: String)
    /// The wallet has no signer for the chain.
    case noSigner(ChainID)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read keystore \(path): \(reason)"
        case let .keystore(path, reason): "cannot open keystore \(path): \(reason)"
        case let .noSigner(chain): "the wallet has no key for \(chain); add a keystore for it"
        }
    }
}

/// A ``TransactionSigner`` over a secp256k1 key loaded from a Web3 v3 keystore. The key bytes stay inside
/// ``PrivateKey``'s `SecretBytes` (wiped on release); only the address and signatures leave.
public struct WalletSigner: TransactionSigner, CustomStringConvertible {
    private let key: PrivateKey

    /// A signer for `key`.
    public init(key: PrivateKey) { self.key = key }

    /// Decrypts a Web3 v3 keystore file.
    /// - Throws: ``WalletError/unreadable(path:reason:)`` or ``WalletError/keystore(path:reason:)``.
    public static func load(keystore path: String, password: String) throws(WalletError) -> WalletSigner {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "no such file or not readable")
        }
        do {
            return WalletSigner(key: try Keystore.decrypt(json: Array(data), password: password))
        } catch {
            throw .keystore(path: path, reason: error.description)
        }
    }

    /// The account the signatures belong to.
    public var address: EthereumAddress { key.address }

    /// The account as a chain-neutral 32-byte ``Address``.
    public var account: Address { Address(key.address.bytes32) }

    /// Signs a 32-byte digest (recoverable, low-s).
    public func sign(digest: Bytes32) throws -> Signature { try key.sign(digest: digest) }

    public var description: String { "WalletSigner(\(address.checksummed))" }
}

/// One balance the wallet holds.
public struct WalletBalance: Sendable, Hashable, Codable {
    /// Chain and asset.
    public let asset: AssetID
    /// Smallest units.
    public let amount: Amount
    /// Decimals of the asset, for display.
    public let decimals: Int
}

/// The agent's keys, one signer per chain (the same key may serve several EVM-family chains).
public struct Wallet: Sendable {
    /// Signers by chain.
    public let signers: [ChainID: any TransactionSigner]

    /// A wallet from signers.
    public init(signers: [ChainID: any TransactionSigner]) { self.signers = signers }

    /// A wallet using one keystore for every chain in `chains`.
    /// - Throws: ``WalletError``.
    public static func load(keystore path: String, password: String, chains: [ChainID]) throws(WalletError) -> Wallet {
        let signer = try WalletSigner.load(keystore: path, password: password)
        return Wallet(signers: Dictionary(chains.map { ($0, signer as any TransactionSigner) }, uniquingKeysWith: { a, _ in a }))
    }

    /// The signer for `chain`.
    /// - Throws: ``WalletError/noSigner(_:)``.
    public func signer(for chain: ChainID) throws(WalletError) -> any TransactionSigner {
        guard let signer = signers[chain] else { throw .noSigner(chain) }
        return signer
    }

    /// The account the wallet uses on `chain`.
    /// - Throws: ``WalletError/noSigner(_:)``.
    public func account(on chain: ChainID) throws(WalletError) -> Address {
        Address(try signer(for: chain).address.bytes32)
    }

    /// Every asset balance on every chain the wallet has a key for and an adapter reaches.
    /// - Throws: ``ChainError`` from the first adapter that fails.
    public func balances(adapters: [ChainID: any ChainAdapter]) async throws(ChainError) -> [WalletBalance] {
        var out: [WalletBalance] = []
        for chain in signers.keys.sorted() {
            guard let adapter = adapters[chain], let signer = signers[chain] else { continue }
            for asset in adapter.info.assets {
                let amount = try await adapter.balance(of: Address(signer.address.bytes32), asset: asset.symbol)
                out.append(WalletBalance(asset: AssetID(chain: chain, symbol: asset.symbol), amount: amount, decimals: asset.decimals))
            }
        }
        return out
    }
}
