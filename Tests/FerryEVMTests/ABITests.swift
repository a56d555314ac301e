import FerryCore
import FerryCrypto
import Testing

@testable import FerryEVM

@Suite("ABI and gateway encoding")
struct ABITests {
    @Test("every function and event Ferry uses matches the committed gateway artifact")
    func artifactSignatures() throws {
        let artifact = try EVMVectors.load().artifact
        for (name, signature) in GatewayABI.functionSignatures {
            #expect(artifact.functions[name] == signature, "function \(name)")
        }
        for (name, signature) in GatewayABI.eventSignatures {
            #expect(artifact.events[name] == signature, "event \(name)")
        }
    }

    static func transfer(_ fields: [String]) throws -> Transfer {
        func u64(_ s: String) throws -> UInt64 { try #require(UInt64(s)) }
        return Transfer(version: UInt8(try u64(fields[0])), sourceChain: ChainID(try u64(fields[1])), destChain: ChainID(try u64(fields[2])),
                        nonce: try u64(fields[3]), sender: Address(try Bytes32(hex: fields[4])), receiver: Address(try Bytes32(hex: fields[5])),
                        sourceAsset: try Bytes32(hex: fields[6]), destAsset: try Bytes32(hex: fields[7]),
                        amount: try Amount(parsing: fields[8]), fee: try Amount(parsing: fields[9]), deadline: try u64(fields[10]),
                        payloadHash: try Bytes32(hex: fields[11]))
    }

    @Test("release calldata is byte for byte eth-abi's, and decodes back")
    func releaseCalldata() throws {
        for v in try EVMVectors.load().release {
            let t = try Self.transfer(v.transfer)
            #expect(Hex.prefixed(t.abiEncoded) == v.transferEncoded)
            let sigs = try v.signatures.map { RelayerSignature(r: try Bytes32(hex: $0.r), s: try Bytes32(hex: $0.s), yParity: $0.v) }
            let calldata = GatewayABI.release(t, signatures: sigs)
            #expect(Hex.prefixed(calldata) == v.calldata, "seed \(EVMVectors.seed)")
            let decoded = try ABI.decode([GatewayABI.transferType, GatewayABI.signaturesType], from: calldata.dropFirst(4))
            #expect(decoded == [GatewayABI.abiValue(t), .array(sigs.map(\.abiValue))])
        }
    }

    @Test("Error(string) revert data decodes to its message and encodes back", arguments: 0..<8)
    func revertData(index: Int) throws {
        let v = try EVMVectors.load().reverts[index]
        let data = try Hex.decode(v.data)
        #expect(RevertReason(data: data) == .message(v.message))
        #expect(RevertReason.encodeMessage(v.message) == data)
    }

    @Test("other revert data decodes without failing")
    func otherReverts() throws {
        #expect(RevertReason(data: []) == .empty)
        let panic = RevertReason.panicSelector + Amount(0x11).bigEndianBytes.bytes
        #expect(RevertReason(data: panic) == .panic(code: Amount(0x11)))
        #expect(RevertReason(data: panic).description == "panic 0x11")
        #expect(RevertReason(data: [1, 2, 3, 4, 5]) == .custom(selector: [1, 2, 3, 4], data: [5]))
        // Error(string) with an offset pointing past the data
        let broken = RevertReason.errorSelector + Amount(4096).bigEndianBytes.bytes
        #expect(RevertReason(data: broken) == .custom(selector: RevertReason.errorSelector, data: Array(broken.dropFirst(4))))
    }

    @Test("strict decoding refuses dirty padding, bad bools, lying lengths and offsets")
    func strictDecoding() throws {
        var dirtyAddress = [UInt8](repeating: 0, count: 32)
        dirtyAddress[0] = 1
        #expect(throws: ABIError.self) { try ABI.decode([.address], from: dirtyAddress) }
        #expect(throws: ABIError.self) { try ABI.decode([.bool], from: Amount(2).bigEndianBytes.bytes) }
        #expect(throws: ABIError.self) { try ABI.decode([.uint(bits: 8)], from: Amount(256).bigEndianBytes.bytes) }
        let hugeArray = Amount(32).bigEndianBytes.bytes + Amount(1_000_000).bigEndianBytes.bytes
        #expect(throws: ABIError.self) { try ABI.decode([.array(.uint(bits: 256))], from: hugeArray) }
        #expect(throws: ABIError.self) { try ABI.decode([.bytes], from: Amount(999).bigEndianBytes.bytes) }
        #expect(throws: ABIError.self) { try ABI.decode([.uint(bits: 256)], from: [1, 2, 3]) }
        let invalidUTF8 = Amount(32).bigEndianBytes.bytes + Amount(1).bigEndianBytes.bytes + [0xFF] + [UInt8](repeating: 0, count: 31)
        #expect(throws: ABIError.invalidUTF8(offset: 64)) { try ABI.decode([.string], from: invalidUTF8) }
    }

    @Test("a Locked event decodes to its transfer and checks the message id")
    func lockedEvent() throws {
        let v = try #require(try EVMVectors.load().release.first)
        let t = try Self.transfer(v.transfer)
        let event = try GatewayABI.decodeEvent(topics: [GatewayABI.lockedTopic, t.messageId], data: t.abiEncoded)
        #expect(event == .locked(t))
        #expect(throws: GatewayLogError.self) {
            try GatewayABI.decodeEvent(topics: [GatewayABI.lockedTopic, .zero], data: t.abiEncoded)
        }
        #expect(try GatewayABI.decodeEvent(topics: [Bytes32.zero], data: []) == nil)
        let receiver = try EthereumAddress(hex: "0x00000000000000000000000000000000000000aa")
        let released = try GatewayABI.decodeEvent(
            topics: [GatewayABI.releasedTopic, t.messageId, receiver.bytes32],
            data: ABI.encode([.bytes32(.zero), .uint(Amount(5))]))
        #expect(released == .released(messageId: t.messageId, receiver: receiver, asset: .zero, amount: Amount(5)))
    }
}
