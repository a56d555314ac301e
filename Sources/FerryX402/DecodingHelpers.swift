import FerryCore
import FerryCrypto

extension KeyedDecodingContainer {
    /// A base-10 amount string in 0...2^256-1; anything else is a ``FieldProblem`` naming the field.
    func decodeAmount(forKey key: Key) throws -> Amount {
        let text = try decode(String.self, forKey: key)
        do { return try Amount(parsing: text) } catch { throw FieldProblem(codingPath + [key], .amount(error)) }
    }

    /// An optional amount (absent or null is nil).
    func decodeAmountIfPresent(forKey key: Key) throws -> Amount? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        do { return try Amount(parsing: text) } catch { throw FieldProblem(codingPath + [key], .amount(error)) }
    }

    /// A hex address; a bad one (length, hex, EIP-55 checksum) is a ``FieldProblem`` naming the field.
    func decodeAddress(forKey key: Key) throws -> EthereumAddress {
        let text = try decode(String.self, forKey: key)
        do { return try EthereumAddress(hex: text) } catch { throw FieldProblem(codingPath + [key], .invalid(error.description)) }
    }

    /// 32 bytes as `0x` hex.
    func decodeBytes32(forKey key: Key) throws -> Bytes32 {
        let text = try decode(String.self, forKey: key)
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else {
            throw FieldProblem(codingPath + [key], .invalid("expected 0x followed by 64 hex digits"))
        }
        do { return try Bytes32(hex: text) } catch { throw FieldProblem(codingPath + [key], .invalid(error.description)) }
    }

    /// A 65-byte `r || s || v` signature in `0x` hex (low s, v 27/28 or 0/1).
    func decodeSignature(forKey key: Key) throws -> Signature {
        let text = try decode(String.self, forKey: key)
        do { return try Signature(hex: text) } catch { throw FieldProblem(codingPath + [key], .invalid(error.description)) }
    }

    /// A base-10 integer string that fits 64 bits (timestamps, chain ids).
    func decodeUInt64String(forKey key: Key) throws -> UInt64 {
        let amount = try decodeAmount(forKey: key)
        guard let value = amount.uint64 else { throw FieldProblem(codingPath + [key], .invalid("\(amount) does not fit 64 bits")) }
        return value
    }

    /// `x402Version`, which must be 2.
    func decodeVersion(forKey key: Key) throws -> Int {
        let version = try decode(Int.self, forKey: key)
        guard version == 2 else { throw FieldProblem(codingPath + [key], .version(version)) }
        return version
    }
}
