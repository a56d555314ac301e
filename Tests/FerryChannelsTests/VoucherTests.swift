import FerryChains
import FerryChannels
import FerryCore
import FerryCrypto
import FerryTestSupport
import Foundation
import Testing

@Suite("Voucher")
struct VoucherTests {
    struct Vector: Decodable {
        let agentKey, agent, provider, chainId, contract, asset, expiry, salt: String
        let channelId, openPayloadHash, domainSeparator, cumulativeAmount, digest, signature: String
    }

    struct Vectors: Decodable { let vectors: [Vector] }

    @Test("channel ids, open payload hashes, voucher digests and signatures match eth-abi and eth-account byte for byte")
    func crossCheck() throws {
        let data = try PythonVectors.run("gen_channel_vectors.py", ["20261204", "200"])
        let vectors = try JSONDecoder().decode(Vectors.self, from: data).vectors
        #expect(vectors.count == 200)
        for v in vectors {
            let key = try PrivateKey(hex: v.agentKey)
            #expect(key.address == (try EthereumAddress(hex: v.agent)))
            let contract = ChannelContract(chainId: try #require(UInt64(v.chainId)), address: try EthereumAddress(hex: v.contract))
            let parameters = ChannelParameters(
                agent: key.address, provider: try EthereumAddress(hex: v.provider), asset: try Bytes32(hex: v.asset),
                expiry: try #require(UInt64(v.expiry)), salt: try Bytes32(hex: v.salt))
            let id = parameters.id(in: contract)
            #expect(id.hex == v.channelId)
            #expect(parameters.openPayloadHash.hex == v.openPayloadHash)
            #expect(contract.domain.separator.hex == v.domainSeparator)
            let voucher = Voucher(channelId: id, cumulativeAmount: try Amount(parsing: v.cumulativeAmount))
            #expect(voucher.digest(in: contract).hex == v.digest)
            // RFC 6979 nonces on both sides: the very same signature bytes.
            let signed = try voucher.sign(with: key, in: contract)
            #expect(signed.signature.description == v.signature)
            #expect(try signed.signer(in: contract) == key.address)
            #expect(try SignedVoucher(voucher: voucher, signature: Signature(hex: v.signature)).signer(in: contract) == key.address)
        }
    }

    @Test("a voucher recovers to someone else in another contract, another chain, another channel or for another amount")
    func bindings() throws {
        let key = try PrivateKey(hex: "0x" + String(repeating: "42", count: 32))
        let contract = ChannelContract(chainId: 1337, address: try EthereumAddress(hex: "0x" + String(repeating: "11", count: 20)))
        let id = try Bytes32(hex: "0x" + String(repeating: "ab", count: 32))
        let signed = try Voucher(channelId: id, cumulativeAmount: 500).sign(with: key, in: contract)
        #expect(try signed.signer(in: contract) == key.address)
        let elsewhere = [
            ChannelContract(chainId: 1338, address: contract.address),
            ChannelContract(chainId: 1337, address: try EthereumAddress(hex: "0x" + String(repeating: "12", count: 20))),
        ]
        for other in elsewhere {
            #expect((try? signed.signer(in: other)) != key.address)
        }
        let moved = SignedVoucher(voucher: Voucher(channelId: .zero, cumulativeAmount: 500), signature: signed.signature)
        #expect((try? moved.signer(in: contract)) != key.address)
        let raised = SignedVoucher(voucher: Voucher(channelId: id, cumulativeAmount: 501), signature: signed.signature)
        #expect((try? raised.signer(in: contract)) != key.address)
    }

    @Test("a TransactionSigner (the wallet's signer type) signs the same voucher as its key")
    func transactionSigner() throws {
        let signer = try PrivateKeySigner(seed: 16, index: 1)
        let contract = ChannelContract(chainId: 1337, address: try EthereumAddress(hex: "0x" + String(repeating: "33", count: 20)))
        let voucher = Voucher(channelId: try Bytes32(hex: "0x" + String(repeating: "ef", count: 32)), cumulativeAmount: 77)
        let viaSigner = try voucher.sign(with: signer, in: contract)
        #expect(viaSigner == (try voucher.sign(with: signer.key, in: contract)))
        #expect(try viaSigner.signer(in: contract) == signer.address)
    }

    @Test("the JSON form round-trips and refuses a malformed id, amount or signature")
    func json() throws {
        let key = try PrivateKey(hex: "0x" + String(repeating: "07", count: 32))
        let contract = ChannelContract(chainId: 8453, address: try EthereumAddress(hex: "0x" + String(repeating: "22", count: 20)))
        let signed = try Voucher(channelId: try Bytes32(hex: "0x" + String(repeating: "cd", count: 32)),
                                 cumulativeAmount: try Amount(parsing: "123456789012345678901234567890")).sign(with: key, in: contract)
        let data = try JSONEncoder().encode(signed)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(object["cumulativeAmount"] == "123456789012345678901234567890")
        #expect(object["channelId"] == "0x" + String(repeating: "cd", count: 32))
        #expect(object["signature"]?.count == 132)
        #expect(try JSONDecoder().decode(SignedVoucher.self, from: data) == signed)

        let good = signed.signature.description
        let bad = [
            #"{"channelId": "0x12", "cumulativeAmount": "1", "signature": "\#(good)"}"#,
            #"{"channelId": "\#(signed.voucher.channelId.hex)", "cumulativeAmount": 1, "signature": "\#(good)"}"#,
            #"{"channelId": "\#(signed.voucher.channelId.hex)", "cumulativeAmount": "-1", "signature": "\#(good)"}"#,
            #"{"channelId": "\#(signed.voucher.channelId.hex)", "cumulativeAmount": "1", "signature": "0x00"}"#,
            #"{"channelId": "\#(signed.voucher.channelId.hex)", "cumulativeAmount": "1"}"#,
        ]
        for text in bad {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(SignedVoucher.self, from: Data(text.utf8)) }
        }
    }
}
