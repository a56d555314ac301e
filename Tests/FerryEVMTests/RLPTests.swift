import FerryCore
import FerryCrypto
import Testing

@testable import FerryEVM

/// A non-canonical or malformed RLP input and the error it must raise.
struct BadRLP: Sendable, CustomTestStringConvertible {
    let hex: String
    let error: RLPError
    let why: String
    var testDescription: String { "\(why): \(hex)" }

    static let all: [BadRLP] = [
        BadRLP(hex: "8100", error: .nonCanonicalSingleByte(offset: 0), why: "single byte 0x00 wrapped"),
        BadRLP(hex: "817f", error: .nonCanonicalSingleByte(offset: 0), why: "single byte 0x7f wrapped"),
        BadRLP(hex: "c28105", error: .nonCanonicalSingleByte(offset: 1), why: "wrapped byte inside a list"),
        BadRLP(hex: "b801" + "61", error: .nonMinimalLength(offset: 0, length: 1), why: "long string form for 1 byte"),
        BadRLP(hex: "b837" + String(repeating: "61", count: 55), error: .nonMinimalLength(offset: 0, length: 55),
               why: "long string form for 55 bytes"),
        BadRLP(hex: "f80180", error: .nonMinimalLength(offset: 0, length: 1), why: "long list form for a 1-byte list"),
        BadRLP(hex: "b90038" + String(repeating: "61", count: 56), error: .lengthWithLeadingZero(offset: 0),
               why: "length of length with a leading zero"),
        BadRLP(hex: "f90038" + String(repeating: "80", count: 56), error: .lengthWithLeadingZero(offset: 0),
               why: "list length with a leading zero"),
        BadRLP(hex: "", error: .truncated(offset: 0, needed: 1, available: 0), why: "empty input"),
        BadRLP(hex: "83616263ff", error: .trailingBytes(offset: 4, count: 1), why: "trailing byte"),
        BadRLP(hex: "0000", error: .trailingBytes(offset: 1, count: 1), why: "two items at top level"),
        BadRLP(hex: "8361", error: .truncated(offset: 0, needed: 4, available: 2), why: "string shorter than its header"),
        BadRLP(hex: "c5836162", error: .truncated(offset: 0, needed: 6, available: 4), why: "list shorter than its header"),
        BadRLP(hex: "c2836162", error: .truncated(offset: 1, needed: 4, available: 2), why: "item overruns its list"),
        BadRLP(hex: "b9", error: .truncated(offset: 0, needed: 3, available: 1), why: "missing length bytes"),
        BadRLP(hex: "bf0100000000000000", error: .lengthTooLarge(offset: 0, limit: 9), why: "8-byte length"),
    ]
}

/// An RLP integer field that must be refused.
struct BadInteger: Sendable, CustomTestStringConvertible {
    let hex: String
    let error: RLPError
    var testDescription: String { hex }

    static let all: [BadInteger] = [
        BadInteger(hex: "00", error: .integerWithLeadingZero(field: "n")),
        BadInteger(hex: "820001", error: .integerWithLeadingZero(field: "n")),
        BadInteger(hex: "89010000000000000000", error: .integerTooLarge(field: "n", maxBytes: 8)),
        BadInteger(hex: "c0", error: .unexpectedShape(field: "n", expected: "a byte string")),
    ]
}

@Suite("RLP")
struct RLPTests {
    @Test("canonical encodings of the yellow-paper examples", arguments: [
        (RLPItem.bytes(Array("dog".utf8)), "83646f67"),
        (.list([.bytes(Array("cat".utf8)), .bytes(Array("dog".utf8))]), "c88363617483646f67"),
        (.bytes([]), "80"),
        (.list([]), "c0"),
        (.uint(0), "80"),
        (.uint(15), "0f"),
        (.uint(1024), "820400"),
        (.bytes([0x80]), "8180"),
        (.list([.list([]), .list([.list([])]), .list([.list([]), .list([.list([])])])]), "c7c0c1c0c3c0c1c0"),
        (.bytes(Array("Lorem ipsum dolor sit amet, consectetur adipisicing elit".utf8)),
         "b838" + Hex.encode(Array("Lorem ipsum dolor sit amet, consectetur adipisicing elit".utf8))),
    ])
    func yellowPaper(item: RLPItem, hex: String) throws {
        #expect(Hex.encode(RLP.encode(item)) == hex)
        #expect(try RLP.decode(Hex.decode(hex)) == item)
    }

    @Test("non-canonical and malformed RLP is rejected with a typed error", arguments: BadRLP.all)
    func rejects(bad: BadRLP) throws {
        let bytes = try Hex.decode(bad.hex)
        #expect(throws: bad.error) { try RLP.decode(bytes) }
    }

    @Test("integers with leading zeros or too wide are rejected", arguments: BadInteger.all)
    func rejectsIntegers(bad: BadInteger) throws {
        let item = try RLP.decode(Hex.decode(bad.hex))
        #expect(throws: bad.error) { try item.uint64("n") }
    }

    @Test("nesting deeper than the cap is refused")
    func depthCap() throws {
        var nested = RLPItem.list([])
        for _ in 0..<10 { nested = .list([nested]) }
        let deep = RLP.encode(nested)
        #expect(try RLP.decode(deep) == nested)
        #expect(throws: RLPError.tooDeep(limit: 4)) { try RLP.decode(deep, maxDepth: 4) }
        #expect(throws: RLPError.lengthTooLarge(offset: 0, limit: 8)) { try RLP.decode(deep, maxLength: 8) }
    }

    @Test("integers round-trip through the canonical form at every width")
    func integers() throws {
        for shift in 0..<64 {
            let v = UInt64(1) << UInt64(shift)
            for x in [v - 1, v, v | 1] {
                #expect(try RLP.decode(RLP.encode(.uint(x))).uint64("x") == x)
            }
        }
        let big = try Amount(parsing: "115792089237316195423570985008687907853269984665640564039457584007913129639935")
        #expect(try RLP.decode(RLP.encode(.uint256(big))).amount("x") == big)
    }

    @Test("random items encode byte for byte as Python's rlp and decode back")
    func pythonVectors() throws {
        let vectors = try EVMVectors.load()
        #expect(vectors.rlp.count >= 60)
        for (i, v) in vectors.rlp.enumerated() {
            let item = try Self.item(v.item)
            let expected = try Hex.decode(v.encoded)
            #expect(RLP.encode(item) == expected, "vector \(i), seed \(EVMVectors.seed)")
            #expect(try RLP.decode(expected) == item, "vector \(i), seed \(EVMVectors.seed)")
        }
    }

    static func item(_ j: EVMVectors.Item) throws -> RLPItem {
        switch j {
        case let .bytes(h): .bytes(try Hex.decode(h))
        case let .list(items): .list(try items.map(item))
        }
    }
}
