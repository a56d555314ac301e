import FerryAgent
import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing

@Suite("Bad input")
struct BadInputTests {
    @Test("unknown chains and assets are refused before anything is stored or reserved")
    func unknownAsset() async throws {
        let world = try await TestWorld.make()
        var request = world.request(1_000_000)
        request.source = AssetID(chain: TestWorld.a, symbol: "USDT")
        await #expect(throws: PaymentError.unknownAsset(AssetID(chain: TestWorld.a, symbol: "USDT"), known: ["ETH", "USDC"])) {
            _ = try await world.service.pay(request, idempotencyKey: "k")
        }
        request.source = AssetID(chain: 9, symbol: "USDC")
        await #expect(throws: PaymentError.unknownChain(9, known: [TestWorld.a, TestWorld.b])) {
            _ = try await world.service.pay(request, idempotencyKey: "k")
        }
        await #expect(throws: PaymentError.invalidField(field: "amount", reason: "must be greater than zero")) {
            _ = try await world.service.pay(world.request(0), idempotencyKey: "k")
        }
        await #expect(throws: PaymentError.self) { _ = try await world.service.pay(world.request(1), idempotencyKey: "") }
        #expect(try await world.service.budget.counts().isEmpty)
    }

    @Test("amounts with more decimals than the asset has are refused, naming the field")
    func tooManyDecimals() throws {
        #expect(try PaymentService.parseAmount("12.5", decimals: 6) == Amount(12_500_000))
        #expect(throws: PaymentError.invalidField(field: "amount",
                                                  reason: "amount \"1.0000001\" has more than 6 decimal places, the most this asset allows")) {
            try PaymentService.parseAmount("1.0000001", decimals: 6)
        }
    }

    @Test("an expired quote is refused by the quote_expired rule: nothing reserved, nothing signed")
    func expiredQuote() async throws {
        let world = try await TestWorld.make()
        let request = world.request(1_000_000)
        let quote = try await world.service.quote(request)
        await world.advance(seconds: 31)
        let payment = try await world.service.pay(request, idempotencyKey: "stale", quote: quote)
        #expect(payment.state == .refused)
        #expect(payment.refusal?.rule == .quoteExpired)
        #expect(try await world.service.budget.counts().isEmpty)
        #expect(await world.ledgerA.pendingCount == 0)
    }

    @Test("a payment above the confirmation threshold waits, and confirm() continues it")
    func confirmation() async throws {
        let world = try await TestWorld.make(policy: SpendingPolicy(confirmAbove: Amount(500)))
        let payment = try await world.service.pay(world.request(10_000_000), idempotencyKey: "big")
        #expect(payment.state == .awaitingConfirmation)
        #expect(payment.refusal?.rule == .confirmationRequired)
        let confirmed = try await world.service.confirm(paymentID: payment.id)
        #expect(confirmed.state == .submitted)
    }

    @Test("wallets load Web3 v3 keystores and refuse a wrong password")
    func keystore() throws {
        let key = try PrivateKey(bytes: Keccak256.hash("wallet test key").bytes)
        let json = try Keystore.encrypt(key, password: "correct horse", kdf: .pbkdf2(c: 1_000))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ks-\(UUID().uuidString).json").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(json)))
        let wallet = try Wallet.load(keystore: path, password: "correct horse", chains: [1, 2])
        #expect(try wallet.account(on: 1) == Address(key.address.bytes32))
        #expect(throws: WalletError.noSigner(3)) { try wallet.signer(for: 3) }
        #expect(throws: WalletError.self) { try WalletSigner.load(keystore: path, password: "wrong") }
        #expect(throws: WalletError.self) { try WalletSigner.load(keystore: path + ".missing", password: "x") }
    }
}
