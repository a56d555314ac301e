public import FerryCrypto

/// One cross-chain transfer as the gateways record it: the canonical, EVM ABI-encodable value whose
/// hash is the ``messageId``.
///
/// `messageId = keccak256(abi.encode(transfer))`, where the ABI tuple is
/// `(uint8 version, uint64 sourceChain, uint64 destChain, uint64 nonce, bytes32 sender, bytes32 receiver,
///   bytes32 sourceAsset, bytes32 destAsset, uint256 amount, uint256 fee, uint64 deadline, bytes32 payloadHash)`:
/// twelve static words, 384 bytes. `docs/wire.md` and the Vyper gateway use the same layout.
public struct Transfer: Sendable, Hashable {
    /// The layout version this code writes.
    public static let currentVersion: UInt8 = 1
    /// Length of ``abiEncoded``.
    public static let encodedLength = 12 * 32

    /// Layout version, ``currentVersion``.
    public var version: UInt8
    /// The chain where value is locked.
    public var sourceChain: ChainID
    /// The chain where value is released.
    public var destChain: ChainID
    /// Per-source-gateway sequence number.
    public var nonce: UInt64
    /// Who locked the value (refunds go here).
    public var sender: Address
    /// Who receives it on the destination (an account or a service escrow).
    public var receiver: Address
    /// The asset locked, as the source gateway names it.
    public var sourceAsset: Bytes32
    /// The asset delivered, as the destination gateway names it.
    public var destAsset: Bytes32
    /// Amount delivered, in destination smallest units.
    public var amount: Amount
    /// Fee paid to the relayers, in source smallest units.
    public var fee: Amount
    /// Unix seconds after which the transfer may be cancelled and refunded instead of released.
    public var deadline: UInt64
    /// keccak256 of the application payload (what the payment is for); zero when none.
    public var payloadHash: Bytes32

    public init(version: UInt8 = Transfer.currentVersion, sourceChain: ChainID, destChain: ChainID, nonce: UInt64,
                sender: Address, receiver: Address, sourceAsset: Bytes32, destAsset: Bytes32,
                amount: Amount, fee: Amount, deadline: UInt64, payloadHash: Bytes32 = .zero) {
        self.version = version
        self.sourceChain = sourceChain
        self.destChain = destChain
        self.nonce = nonce
        self.sender = sender
        self.receiver = receiver
        self.sourceAsset = sourceAsset
        self.destAsset = destAsset
        self.amount = amount
        self.fee = fee
        self.deadline = deadline
        self.payloadHash = payloadHash
    }

    /// `abi.encode(transfer)`: twelve 32-byte big-endian words.
    public var abiEncoded: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.encodedLength)
        func append(_ b: Bytes32) { b.withUnsafeBytes { out.append(contentsOf: $0) } }
        func word(_ v: UInt64) { append(Bytes32(bigEndianWords: (0, 0, 0, v))) }
        word(UInt64(version))
        word(sourceChain.rawValue)
        word(destChain.rawValue)
        word(nonce)
        append(sender.bytes32)
        append(receiver.bytes32)
        append(sourceAsset)
        append(destAsset)
        append(amount.bigEndianBytes)
        append(fee.bigEndianBytes)
        word(deadline)
        append(payloadHash)
        return out
    }

    /// The transfer's identity on every chain: `keccak256(abi.encode(transfer))`.
    public var messageId: Bytes32 { Keccak256.hash(abiEncoded) }

    /// Decodes `abi.encode(transfer)` strictly: exactly 384 bytes, and the padding of every narrow
    /// integer word must be zero (a value that does not fit its type is refused, not truncated).
    /// - Throws: ``CoreError/malformedTransfer(field:reason:)`` naming the field.
    public init(abiEncoded bytes: some Collection<UInt8>) throws(CoreError) {
        let b = Array(bytes)
        guard b.count == Self.encodedLength else {
            throw .malformedTransfer(field: "encoding", reason: "expected \(Self.encodedLength) bytes, got \(b.count)")
        }
        func slice(_ i: Int) -> ArraySlice<UInt8> { b[(i * 32)..<(i * 32 + 32)] }
        func uint(_ i: Int, _ name: String, bits: Int) throws(CoreError) -> UInt64 {
            let w = slice(i)
            let padding = 32 - bits / 8
            guard w.prefix(padding).allSatisfy({ $0 == 0 }) else {
                throw .malformedTransfer(field: name, reason: "value does not fit in uint\(bits)")
            }
            return w.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        func b32(_ i: Int) -> Bytes32 { (try? Bytes32(slice(i))) ?? .zero }  // always 32 bytes
        let v = try uint(0, "version", bits: 8)
        guard v == UInt64(Self.currentVersion) else {
            throw .malformedTransfer(field: "version", reason: "unsupported version \(v), this build reads \(Self.currentVersion)")
        }
        version = UInt8(v)
        sourceChain = ChainID(try uint(1, "sourceChain", bits: 64))
        destChain = ChainID(try uint(2, "destChain", bits: 64))
        nonce = try uint(3, "nonce", bits: 64)
        sender = Address(b32(4))
        receiver = Address(b32(5))
        sourceAsset = b32(6)
        destAsset = b32(7)
        amount = Amount(bigEndian: b32(8))
        fee = Amount(bigEndian: b32(9))
        deadline = try uint(10, "deadline", bits: 64)
        payloadHash = b32(11)
    }
}

extension Transfer: Codable {
    private enum CodingKeys: String, CodingKey {
        case version, sourceChain, destChain, nonce, sender, receiver, sourceAsset, destAsset, amount, fee, deadline, payloadHash
    }

    /// JSON form: integers as numbers, amounts as base-10 strings, byte fields as hex strings
    /// (addresses and assets may be 20-byte EVM hex, left-padded). `version` and `payloadHash` are optional.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func bytes32(_ key: CodingKeys) throws -> Bytes32 {
            let text = try c.decode(String.self, forKey: key)
            do { return try Address(hex: text).bytes32 } catch {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: error.description)
            }
        }
        let v = try c.decodeIfPresent(UInt8.self, forKey: .version) ?? Self.currentVersion
        guard v == Self.currentVersion else {
            throw DecodingError.dataCorruptedError(forKey: .version, in: c, debugDescription: "unsupported transfer version \(v)")
        }
        self.init(
            version: v,
            sourceChain: try c.decode(ChainID.self, forKey: .sourceChain),
            destChain: try c.decode(ChainID.self, forKey: .destChain),
            nonce: try c.decode(UInt64.self, forKey: .nonce),
            sender: Address(try bytes32(.sender)),
            receiver: Address(try bytes32(.receiver)),
            sourceAsset: try bytes32(.sourceAsset),
            destAsset: try bytes32(.destAsset),
            amount: try c.decode(Amount.self, forKey: .amount),
            fee: try c.decode(Amount.self, forKey: .fee),
            deadline: try c.decode(UInt64.self, forKey: .deadline),
            payloadHash: c.contains(.payloadHash) ? try bytes32(.payloadHash) : .zero)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(sourceChain, forKey: .sourceChain)
        try c.encode(destChain, forKey: .destChain)
        try c.encode(nonce, forKey: .nonce)
        try c.encode(sender, forKey: .sender)
        try c.encode(receiver, forKey: .receiver)
        try c.encode(sourceAsset.hex, forKey: .sourceAsset)
        try c.encode(destAsset.hex, forKey: .destAsset)
        try c.encode(amount, forKey: .amount)
        try c.encode(fee, forKey: .fee)
        try c.encode(deadline, forKey: .deadline)
        try c.encode(payloadHash.hex, forKey: .payloadHash)
    }
}
