/// An EIP-712 domain with the four fields Ferry uses:
/// `EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)`.
public struct EIP712Domain: Hashable, Sendable {
    /// The signing domain's name (`"Ferry"` for Ferry attestations).
    public let name: String
    /// The domain version (`"1"` for Ferry).
    public let version: String
    /// The EIP-155 chain id of the chain where signatures are verified.
    public let chainId: UInt64
    /// The contract that verifies signatures.
    public let verifyingContract: EthereumAddress
    /// The domain separator, `hashStruct(domain)`, computed once here.
    public let separator: Bytes32

    /// `keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")`.
    public static let typeHash = Keccak256.hash("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")

    /// A domain; its separator is computed immediately.
    public init(name: String, version: String, chainId: UInt64, verifyingContract: EthereumAddress) {
        self.name = name
        self.version = version
        self.chainId = chainId
        self.verifyingContract = verifyingContract
        self.separator = EIP712Struct("EIP712Domain", [
            ("name", .string(name)),
            ("version", .string(version)),
            ("chainId", .uint256(chainId)),
            ("verifyingContract", .address(verifyingContract)),
        ]).hash
    }

    /// Ferry's attestation domain on a destination chain: name "Ferry", version "1",
    /// `chainId`, and the destination gateway as verifying contract.
    public static func ferry(chainId: UInt64, gateway: EthereumAddress) -> EIP712Domain {
        EIP712Domain(name: "Ferry", version: "1", chainId: chainId, verifyingContract: gateway)
    }

    /// The EIP-712 digest of a struct with hash `structHash` in this domain.
    public func digest(structHash: Bytes32) -> Bytes32 {
        EIP712.digest(domainSeparator: separator, structHash: structHash)
    }
}
