import FerryCore
import FerryCrypto
import Synchronization

/// Remembers which address each (digest, signature) pair recovered to, so a ledger checks one signature once:
/// a release is checked when it is submitted (the dry run) and again when it is mined, with the same inputs.
/// Recovery is a pure function of its inputs, so a remembered answer is the answer. Bounded: it forgets
/// everything when full. Thread-safe.
final class SignerMemo: Sendable {
    private struct Key: Hashable {
        let digest: Bytes32
        let signature: Signature
    }

    private let entries = Mutex<[Key: EthereumAddress]>([:])
    private let capacity: Int

    init(capacity: Int = 65_536) { self.capacity = capacity }

    /// The address `signature` recovers to over `digest`.
    /// - Throws: the recovery's error (failures are not remembered).
    func signer(of signature: Signature, digest: Bytes32) throws(CryptoError) -> EthereumAddress {
        let key = Key(digest: digest, signature: signature)
        if let known = entries.withLock({ $0[key] }) { return known }
        let address = try signature.recoverAddress(digest: digest)
        entries.withLock { e in
            if e.count >= capacity { e.removeAll(keepingCapacity: true) }
            e[key] = address
        }
        return address
    }
}
