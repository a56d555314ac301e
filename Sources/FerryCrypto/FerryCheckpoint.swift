/// What relayers sign about a batch of transfers from one source chain to one destination gateway: the EIP-712
/// typed data `Checkpoint(uint64 sourceChain,bytes32 root,uint64 firstNonce,uint64 lastNonce,uint32 count)`, in
/// the destination gateway's domain (``EIP712Domain/ferry(chainId:gateway:)``, as for `Release`).
///
/// The batch covers the source gateway's nonces `firstNonce...lastNonce`; its leaves are the message ids of the
/// locks in that range whose destination is this gateway, in nonce order (locks to other chains share the
/// source's nonces and are not leaves); `count` is how many (1...256) and `root` their Merkle root
/// (`MerkleTree` in FerryCore). A gateway commits a source's ranges contiguously: each `firstNonce` is the
/// previous `lastNonce + 1` (0 first), refuses a zero root and a root it already holds, and then releases each
/// leaf whose transfer's nonce lies in the range, with a Merkle proof.
public struct FerryCheckpoint: Hashable, Sendable {
    /// The chain whose gateway locked the batch's transfers.
    public var sourceChain: UInt64
    /// The Merkle root of the batch's message ids.
    public var root: Bytes32
    /// The first source-gateway nonce the batch covers.
    public var firstNonce: UInt64
    /// The last source-gateway nonce the batch covers (inclusive).
    public var lastNonce: UInt64
    /// How many leaves (transfers to this destination) the root holds.
    public var count: UInt32

    /// The EIP-712 type, exactly as hashed.
    public static let typeString = "Checkpoint(uint64 sourceChain,bytes32 root,uint64 firstNonce,uint64 lastNonce,uint32 count)"
    /// `keccak256(typeString)`.
    public static let typeHash = Keccak256.hash(typeString)

    /// A checkpoint of `count` leaves with `root`, covering `firstNonce...lastNonce` of `sourceChain`.
    public init(sourceChain: UInt64, root: Bytes32, firstNonce: UInt64, lastNonce: UInt64, count: UInt32) {
        self.sourceChain = sourceChain
        self.root = root
        self.firstNonce = firstNonce
        self.lastNonce = lastNonce
        self.count = count
    }

    /// `hashStruct`: `keccak256(typeHash || sourceChain || root || firstNonce || lastNonce || count)`, every
    /// member one 32-byte word.
    public var structHash: Bytes32 {
        var data = Self.typeHash.bytes
        data.reserveCapacity(6 * 32)
        data += Self.word(sourceChain)
        data += root.bytes
        data += Self.word(firstNonce)
        data += Self.word(lastNonce)
        data += Self.word(UInt64(count))
        return Keccak256.hash(data)
    }

    /// The digest to sign in `domain` (the destination gateway's).
    public func digest(in domain: EIP712Domain) -> Bytes32 {
        EIP712.digest(domainSeparator: domain.separator, structHash: structHash)
    }

    /// Signs this checkpoint for `domain` with `key`.
    /// - Throws: the errors of `PrivateKey.sign(digest:)`.
    public func sign(with key: PrivateKey, in domain: EIP712Domain) throws(CryptoError) -> Signature {
        try key.sign(digest: digest(in: domain))
    }

    /// The address that signed this checkpoint for `domain`.
    /// - Throws: `CryptoError.recoveryFailed` when the signature matches no key.
    public func signer(of signature: Signature, in domain: EIP712Domain) throws(CryptoError) -> EthereumAddress {
        try signature.recoverAddress(digest: digest(in: domain))
    }

    private static func word(_ value: UInt64) -> [UInt8] {
        [UInt8](repeating: 0, count: 24) + withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
