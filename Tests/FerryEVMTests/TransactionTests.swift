import FerryCore
import FerryCrypto
import Testing

@testable import FerryEVM

@Suite("Transactions")
struct TransactionTests {
    static func build(_ v: EVMVectors.Tx) throws -> SignedTransaction {
        let to = try v.to.map { try EthereumAddress(hex: $0) }
        let sig = try TransactionSignature(r: Bytes32(hex: v.r), s: Bytes32(hex: v.s), yParity: v.yParity)
        let nonce = try #require(UInt64(v.nonce)), gas = try #require(UInt64(v.gas))
        if v.kind == "legacy" {
            let tx = LegacyTransaction(nonce: nonce, gasPrice: try Amount(parsing: v.gasPrice ?? ""), gasLimit: gas, to: to,
                                       value: try Amount(parsing: v.value), data: try Hex.decode(v.data), chainId: v.chainId)
            #expect(tx.signingHash.hex == v.signingHash, "signing hash of \(v.testDescription)")
            return try tx.signed(with: sig)
        }
        let access = try (v.accessList ?? []).map {
            AccessListEntry(address: try EthereumAddress(hex: $0.address), storageKeys: try $0.storageKeys.map { try Bytes32(hex: $0) })
        }
        let tx = EIP1559Transaction(chainId: v.chainId, nonce: nonce,
                                    maxPriorityFeePerGas: try Amount(parsing: v.maxPriorityFeePerGas ?? ""),
                                    maxFeePerGas: try Amount(parsing: v.maxFeePerGas ?? ""), gasLimit: gas, to: to,
                                    value: try Amount(parsing: v.value), data: try Hex.decode(v.data), accessList: access)
        #expect(tx.signingHash.hex == v.signingHash, "signing hash of \(v.testDescription)")
        return tx.signed(with: sig)
    }

    @Test("transactions signed by eth-account: identical signing hash, raw bytes and hash; decode round-trips")
    func ethAccountVectors() throws {
        let vectors = try EVMVectors.load()
        #expect(vectors.transactions.contains { $0.kind == "legacy" } && vectors.transactions.contains { $0.kind == "eip1559" })
        for v in vectors.transactions {
            let signed = try Self.build(v)
            #expect(Hex.prefixed(signed.rawBytes) == v.raw, "raw bytes of \(v.testDescription), seed \(EVMVectors.seed)")
            #expect(signed.hash.hex == v.hash, "hash of \(v.testDescription)")
            let decoded = try SignedTransaction(raw: Hex.decode(v.raw))
            #expect(decoded == signed, "decode of \(v.testDescription)")
            #expect(decoded.signingHash.hex == v.signingHash)
        }
    }

    static let sample = EIP1559Transaction(chainId: 1337, nonce: 3, maxPriorityFeePerGas: Amount(1_000_000_000),
                                           maxFeePerGas: Amount(30_000_000_000), gasLimit: 21_000, to: nil, value: Amount(1))
    static let sig: TransactionSignature? = try? TransactionSignature(r: Bytes32(leftPadding: [1]), s: Bytes32(leftPadding: [2]), yParity: 1)

    @Test("a legacy transaction without EIP-155 is refused")
    func preEIP155() throws {
        // rlp([nonce 0, gasPrice 1, gas 21000, to "", value 0, data "", v 27, r 1, s 2])
        let raw = RLP.encode(.list([.uint(0), .uint(1), .uint(21_000), .bytes([]), .uint(0), .bytes([]), .uint(27), .uint(1), .uint(2)]))
        #expect(throws: TransactionError.missingReplayProtection) { try SignedTransaction(raw: raw) }
    }

    @Test("high-s, zero r and bad y-parity signatures are refused")
    func badSignatures() throws {
        let high = try Bytes32(hex: "0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1")
        #expect(throws: TransactionError.self) { try TransactionSignature(r: Bytes32(leftPadding: [1]), s: high, yParity: 0) }
        #expect(throws: TransactionError.self) { try TransactionSignature(r: .zero, s: Bytes32(leftPadding: [1]), yParity: 0) }
        #expect(throws: TransactionError.self) { try TransactionSignature(r: Bytes32(leftPadding: [1]), s: Bytes32(leftPadding: [1]), yParity: 2) }
    }

    @Test("typed envelopes other than 0x02, trailing bytes and a non-canonical nonce are refused")
    func badEnvelopes() throws {
        let sig = try #require(Self.sig)
        let raw = Self.sample.signed(with: sig).rawBytes
        #expect(try SignedTransaction(raw: raw) == Self.sample.signed(with: sig))
        #expect(throws: TransactionError.unsupportedType(0x01)) { try SignedTransaction(raw: [0x01] + raw.dropFirst()) }
        #expect(throws: TransactionError.self) { try SignedTransaction(raw: raw + [0x00]) }
        #expect(throws: TransactionError.empty) { try SignedTransaction(raw: []) }
        // nonce 3 written as 0x820003
        var fields = try RLP.decode(raw.dropFirst()).list("tx")
        fields[1] = .bytes([0x00, 0x03])
        #expect(throws: TransactionError.rlp(.integerWithLeadingZero(field: "nonce"))) {
            try SignedTransaction(raw: [0x02] + RLP.encode(.list(fields)))
        }
        fields[1] = .uint(3)
        fields[5] = .bytes([1, 2, 3])
        #expect(throws: TransactionError.rlp(.wrongByteLength(field: "to", expected: 20, actual: 3))) {
            try SignedTransaction(raw: [0x02] + RLP.encode(.list(fields)))
        }
    }
}
