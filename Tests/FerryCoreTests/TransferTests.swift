@testable import FerryCore
import FerryTestSupport
import FerryCrypto
import Foundation
import Testing

@Suite("Transfer")
struct TransferTests {
    struct TransferVector: Decodable {
        let json: Transfer
        let encoded: String
        let messageId: String
    }

    struct Vectors: Decodable {
        let transfers: [TransferVector]
    }

    @Test("ABI encoding and message ids match eth-abi and eth-utils byte for byte")
    func crossCheck() throws {
        let data = try PythonVectors.run("gen_core_vectors.py", ["7", "300"])
        let vectors = try JSONDecoder().decode(Vectors.self, from: data)
        #expect(vectors.transfers.count == 300)
        for v in vectors.transfers {
            #expect(Hex.prefixed(v.json.abiEncoded) == v.encoded)
            #expect(v.json.messageId.hex == v.messageId)
            #expect(try Transfer(abiEncoded: Hex.decode(v.encoded)) == v.json)
        }
    }

    static let sample = Transfer(
        sourceChain: 1, destChain: 8453, nonce: 7,
        sender: try! Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
        receiver: try! Address(hex: "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"),
        sourceAsset: .zero, destAsset: .zero, amount: 12_500_000, fee: 1_000, deadline: 1_800_000_000)

    @Test("JSON round trip keeps the message id")
    func jsonRoundTrip() throws {
        let data = try JSONEncoder().encode(Self.sample)
        let back = try JSONDecoder().decode(Transfer.self, from: data)
        #expect(back == Self.sample)
        #expect(back.messageId == Self.sample.messageId)
    }

    @Test("strict decoding refuses wrong lengths, oversized narrow integers and unknown versions")
    func strictDecoding() throws {
        let good = Self.sample.abiEncoded
        #expect(throws: CoreError.malformedTransfer(field: "encoding", reason: "expected 384 bytes, got 383")) {
            try Transfer(abiEncoded: good.dropLast())
        }
        var wide = good
        wide[32 + 23] = 1  // sourceChain word with a bit above 64
        #expect(throws: CoreError.malformedTransfer(field: "sourceChain", reason: "value does not fit in uint64")) {
            try Transfer(abiEncoded: wide)
        }
        var version = good
        version[31] = 2
        #expect(throws: CoreError.self) { try Transfer(abiEncoded: version) }
    }

    @Test("changing any field changes the message id")
    func idCoversEveryField() {
        var t = Self.sample
        let base = t.messageId
        t.nonce += 1
        #expect(t.messageId != base)
        t = Self.sample
        t.amount = 12_500_001
        #expect(t.messageId != base)
        t = Self.sample
        t.deadline += 1
        #expect(t.messageId != base)
    }

    @Test("addresses accept 20 or 32 bytes and refuse other lengths")
    func addresses() throws {
        #expect(try Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").isEVMShaped)
        #expect(throws: CoreError.self) { try Address(hex: "0x1234") }
        #expect(throws: CoreError.self) { try Address(hex: "0xzz") }
    }
}
