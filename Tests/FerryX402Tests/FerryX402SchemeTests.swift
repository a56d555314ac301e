import FerryChannels
import FerryCore
import FerryCrypto
import FerryX402
import Foundation
import Testing

/// Ferry's additions on the wire: the `cross-chain` extension and payload, the `ferry-channel` terms and payloads.
@Suite("x402 Ferry extension and channel scheme")
struct FerryX402SchemeTests {
    static let contract = ChannelContract(chainId: 1337, address: try! EthereumAddress(hex: "0x" + String(repeating: "33", count: 20)))
    static let agent = try! PrivateKey(hex: "0x" + String(repeating: "44", count: 32))
    static let provider = try! EthereumAddress(hex: "0x" + String(repeating: "55", count: 20))

    static func lock() throws -> CrossChainLock {
        CrossChainLock(
            origin: .eip155(chainId: 1338), signedLock: Array(repeating: 0x02, count: 300),
            transfer: CrossChainTransfer(
                destChain: 1337, receiver: contract.address, sourceAsset: .zero,
                destAsset: try Bytes32(leftPadding: try EthereumAddress(hex: X402CodecTests.token).bytes),
                amount: 5_000_000, fee: 1200, deadline: 1_800_000_000, payloadHash: try Bytes32(hex: "0x" + String(repeating: "9a", count: 32))))
    }

    @Test("the cross-chain declaration, its echo with the chosen origin, and the lock payload round-trip")
    func crossChain() throws {
        let offer = CrossChainInfo(origins: [CrossChainOffer(network: .eip155(chainId: 1338), assets: [X402CodecTests.token]),
                                             CrossChainOffer(network: .ferrySimulated(chainId: 3), assets: ["0x00"])])
        let required = PaymentRequired(accepts: [X402CodecTests.requirement()], extensions: [CrossChainExtension.key: try CrossChainExtension.entry(offer)])
        let decoded = try PaymentRequired(headerValue: try required.headerValue())
        #expect(try CrossChainExtension.info(in: decoded.extensions) == offer)
        var echo = offer
        echo.origin = CrossChainOrigin(network: .eip155(chainId: 1338), asset: X402CodecTests.token, payer: Self.agent.address)
        let payload = CrossChainPayload(crossChain: try Self.lock())
        #expect(CrossChainPayload.isCrossChain(try payload.jsonObject()))
        let payment = PaymentPayload(payload: try payload.jsonObject(), accepted: X402CodecTests.requirement(),
                                     extensions: [CrossChainExtension.key: try CrossChainExtension.entry(echo)])
        let back = try PaymentPayload(headerValue: try payment.headerValue())
        #expect(try CrossChainExtension.info(in: back.extensions) == echo)
        #expect(try CrossChainPayload(payload: back.payload) == payload)
        #expect(!(CrossChainPayload.isCrossChain(back.accepted.extra)))
    }

    @Test("ferry-channel terms and voucher and open payloads round-trip, and the voucher recovers to the agent")
    func channel() throws {
        let terms = FerryChannelTerms(channelContract: Self.contract.address, minDeposit: 1_000_000, minExpirySeconds: 3600)
        let requirement = PaymentRequirements(scheme: FerryChannelTerms.scheme, network: .eip155(chainId: 1337), asset: X402CodecTests.token,
                                              amount: 1000, payTo: Self.provider.checksummed, maxTimeoutSeconds: 60, extra: try terms.extra())
        #expect(try FerryChannelTerms(requirement: requirement) == terms)
        let contract = try terms.contract(on: requirement.network)
        #expect(contract == Self.contract)

        let parameters = ChannelParameters(agent: Self.agent.address, provider: Self.provider, asset: .zero, expiry: 1_800_000_000,
                                           salt: try Bytes32(hex: "0x" + String(repeating: "77", count: 32)))
        let first = try Voucher(channelId: parameters.id(in: contract), cumulativeAmount: 1000).sign(with: Self.agent, in: contract)
        let payloads: [FerryChannelPayload] = [
            .voucher(try Voucher(channelId: parameters.id(in: contract), cumulativeAmount: .max).sign(with: Self.agent, in: contract)),
            .open(channel: parameters, funding: .transaction([0x02, 0xF8, 0x01]), voucher: first),
            .open(channel: parameters, funding: .crossChain(try Self.lock()), voucher: first),
        ]
        for p in payloads {
            let payment = PaymentPayload(payload: try p.jsonObject(), accepted: requirement)
            let back = try PaymentPayload(headerValue: try payment.headerValue())
            let decoded = try FerryChannelPayload(payload: back.payload)
            #expect(decoded == p)
            #expect(try decoded.signedVoucher.signer(in: contract) == Self.agent.address)
        }
        #expect(try payloads[0].jsonObject()["type"] == .string("voucher"))
    }

    @Test("malformed channel and cross-chain payloads are typed errors naming the field")
    func badPayloads() throws {
        let voucher: [String: JSONValue] = [
            "type": .string("voucher"), "channelId": .string("0x" + String(repeating: "ab", count: 32)),
            "cumulativeAmount": .string(String(repeating: "9", count: 78)), "signature": .string("0x" + String(repeating: "11", count: 64) + "1b"),
        ]
        #expect(throws: X402Error.self) { try FerryChannelPayload(payload: voucher) }
        do { _ = try FerryChannelPayload(payload: voucher) } catch {
            if case .invalidAmount(_, field: "cumulativeAmount", _) = error {} else { Issue.record("\(error)") }
        }
        var unknown = voucher
        unknown["type"] = .string("close")
        do { _ = try FerryChannelPayload(payload: unknown); Issue.record("accepted") } catch {
            if case .invalidField(_, field: "type", _) = error {} else { Issue.record("\(error)") }
        }
        var lock = try CrossChainPayload(crossChain: Self.lock()).jsonObject()
        if case var .object(inner) = lock["crossChain"] {
            inner["signedLock"] = .string("0x" + String(repeating: "00", count: CrossChainLock.maxSignedLockBytes + 1))
            lock["crossChain"] = .object(inner)
        }
        do { _ = try CrossChainPayload(payload: lock); Issue.record("accepted") } catch {
            if case .invalidField(_, field: "crossChain.signedLock", _) = error {} else { Issue.record("\(error)") }
        }
        #expect(throws: X402Error.self) {
            try FerryChannelTerms(requirement: X402CodecTests.requirement())  // an exact requirement has no channel terms
        }
    }
}
