import FerryTestSupport
import FerryCore
import Foundation
import Testing

@Suite("Amount")
struct AmountTests {
    static let maxText = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    @Test("2^256-1 prints and parses exactly")
    func maxRoundTrip() throws {
        #expect(Amount.max.description == Self.maxText)
        #expect(try Amount(parsing: Self.maxText) == .max)
    }

    @Test("one beyond 2^256-1 is an overflow error, not a wrap")
    func parseOverflow() {
        #expect(throws: AmountError.self) { try Amount(parsing: "115792089237316195423570985008687907853269984665640564039457584007913129639936") }
        #expect(throws: AmountError.overflow(operation: "\(Amount.max) + 1")) { try Amount.max + 1 }
        #expect(throws: AmountError.self) { try Amount.max * 2 }
    }

    @Test("subtraction below zero is an underflow error")
    func underflow() {
        #expect(throws: AmountError.underflow(minuend: "1", subtrahend: "2")) { try Amount(1) - Amount(2) }
        #expect(Amount(1).saturatingSubtract(2) == .zero)
    }

    @Test("decimal strings scale by the asset's decimals", arguments: [
        ("12.5", 6, "12500000"), ("0.000001", 6, "1"), ("1", 18, "1000000000000000000"), ("7", 0, "7"),
        ("1.50", 1, "15"), ("0.5", 2, "50"), ("0", 6, "0"), ("00012.340", 3, "12340"),
    ])
    func decimals(text: String, decimals: Int, expected: String) throws {
        #expect(try Amount(decimal: text, decimals: decimals).description == expected)
    }

    @Test("bad decimal strings are refused with a reason", arguments: [
        ("12.5000001", 6), ("1.5", 0), ("-1", 6), ("", 6), ("1.2.3", 6), ("1e6", 6), ("1.", 6), (" 1", 6), ("0x10", 6), (".", 2), (".5", 2),
    ])
    func badDecimals(text: String, decimals: Int) {
        #expect(throws: AmountError.self) { try Amount(decimal: text, decimals: decimals) }
    }

    @Test("too many decimals names the asset's limit")
    func tooManyDecimals() {
        #expect(throws: AmountError.tooManyDecimals(text: "12.5000001", allowed: 6)) { try Amount(decimal: "12.5000001", decimals: 6) }
    }

    @Test("bad integer strings are refused", arguments: ["", "-5", "1.5", "12a", "+1", " 1", String(repeating: "9", count: 200)])
    func badIntegers(text: String) {
        #expect(throws: AmountError.self) { try Amount(parsing: text) }
    }

    @Test("formatting in whole units drops trailing zeros", arguments: [
        ("12500000", 6, "12.5"), ("1", 6, "0.000001"), ("1000000", 6, "1"), ("0", 6, "0"), ("123", 0, "123"),
    ])
    func formatting(raw: String, decimals: Int, expected: String) throws {
        #expect(try Amount(parsing: raw).formatted(decimals: decimals) == expected)
    }

    @Test("division rounds as asked and refuses zero")
    func division() throws {
        #expect(try Amount(7).dividedRounding(by: 2, .down) == 3)
        #expect(try Amount(7).dividedRounding(by: 2, .up) == 4)
        #expect(try Amount(8).dividedRounding(by: 2, .up) == 4)
        #expect(throws: AmountError.self) { try Amount(7).dividedRounding(by: .zero, .up) }
        #expect(throws: AmountError.self) { try Amount.max.multiplied(by: .max, dividedBy: 1, rounding: .down) }
        #expect(try Amount.max.multiplied(by: .max, dividedBy: .max, rounding: .down) == .max)
    }

    @Test("exchange rates convert with explicit rounding")
    func exchangeRate() throws {
        // At 3,000 USDC per ETH, 1 wei = 3000e6 / 1e18 micro-USDC; 21,000 gas at 30 gwei costs 1.89 USDC.
        let rate = try ExchangeRate(numerator: 3_000_000_000, denominator: 1_000_000_000_000_000_000)
        let gas = try Amount(21_000) * Amount(30_000_000_000)
        #expect(try rate.convert(gas, rounding: .up) == 1_890_000)
        #expect(try rate.convert(Amount(1), rounding: .up) == 1)
        #expect(try rate.convert(Amount(1), rounding: .down) == 0)
        #expect(throws: AmountError.self) { try ExchangeRate(numerator: 1, denominator: .zero) }
    }

    @Test("JSON uses base-10 strings and refuses numbers")
    func json() throws {
        let data = try JSONEncoder().encode([Amount.max])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(Self.maxText)\"]")
        #expect(try JSONDecoder().decode([Amount].self, from: data) == [.max])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Amount].self, from: Data("[5]".utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Amount].self, from: Data("[\"-5\"]".utf8)) }
    }

    struct ArithmeticVector: Decodable {
        let a, b, d: String
        let sum, difference, product, quotient_down, quotient_up, muldiv_down, muldiv_up: String?
    }

    struct Vectors: Decodable {
        let arithmetic: [ArithmeticVector]
    }

    @Test("arithmetic matches Python's big integers on 2,000 seeded operands")
    func crossCheck() throws {
        let data = try PythonVectors.run("gen_core_vectors.py", ["20261124", "2000"])
        let vectors = try JSONDecoder().decode(Vectors.self, from: data)
        #expect(vectors.arithmetic.count == 2000)
        for v in vectors.arithmetic {
            let a = try Amount(parsing: v.a), b = try Amount(parsing: v.b), d = try Amount(parsing: v.d)
            #expect((try? (a + b).description) == v.sum, "\(v.a) + \(v.b)")
            #expect((try? (a - b).description) == v.difference, "\(v.a) - \(v.b)")
            #expect((try? (a * b).description) == v.product, "\(v.a) * \(v.b)")
            #expect((try? a.dividedRounding(by: b, .down).description) == v.quotient_down, "\(v.a) / \(v.b)")
            #expect((try? a.dividedRounding(by: b, .up).description) == v.quotient_up, "\(v.a) / \(v.b) up")
            #expect((try? a.multiplied(by: b, dividedBy: d, rounding: .down).description) == v.muldiv_down, "\(v.a)*\(v.b)/\(v.d)")
            #expect((try? a.multiplied(by: b, dividedBy: d, rounding: .up).description) == v.muldiv_up, "\(v.a)*\(v.b)/\(v.d) up")
        }
    }
}
