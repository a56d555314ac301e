import FerryCrypto
import Testing

@Suite("EIP-712 typed data")
struct EIP712Tests {
    /// The domain of EIP-712's example.
    static func mailDomain() throws -> EIP712Domain {
        EIP712Domain(name: "Ether Mail", version: "1", chainId: 1,
                     verifyingContract: try EthereumAddress(hex: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"))
    }

    static func mail() throws -> EIP712Struct {
        let cow = EIP712Struct("Person", [
            ("name", .string("Cow")), ("wallet", .address(try EthereumAddress(hex: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"))),
        ])
        let bob = EIP712Struct("Person", [
            ("name", .string("Bob")), ("wallet", .address(try EthereumAddress(hex: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"))),
        ])
        return EIP712Struct("Mail", [("from", .struct(cow)), ("to", .struct(bob)), ("contents", .string("Hello, Bob!"))])
    }

    @Test("the EIP-712 Mail example reproduces the published values")
    func mailExample() throws {
        let mail = try Self.mail()
        let mailDomain = try Self.mailDomain()
        #expect(mail.encodeType == "Mail(Person from,Person to,string contents)Person(string name,address wallet)")
        #expect(mail.typeHash.hex == "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2")
        #expect(mailDomain.separator.hex == "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f")
        #expect(mail.hash.hex == "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e")
        let digest = EIP712.digest(domainSeparator: mailDomain.separator, structHash: mail.hash)
        #expect(digest.hex == "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
        #expect(mailDomain.digest(structHash: mail.hash) == digest)

        let cow = try PrivateKey(bytes: Keccak256.hash("cow").bytes)
        let signature = try cow.sign(digest: digest)
        #expect(signature.rsv[64] == 28)
        #expect(signature.r.hex == "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d")
        #expect(signature.s.hex == "0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562")
        #expect(try signature.recoverAddress(digest: digest).checksummed == "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
    }

    @Test("Ferry attestation type hashes are keccak256 of the type strings")
    func typeHashes() {
        #expect(FerryAttestation.releaseTypeHash == Keccak256.hash("Release(bytes32 messageId)"))
        #expect(FerryAttestation.cancelTypeHash == Keccak256.hash("Cancel(bytes32 messageId)"))
        #expect(FerryAttestation.refundTypeHash == Keccak256.hash("Refund(bytes32 messageId)"))
        #expect(EIP712Domain.typeHash == Keccak256.hash("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"))
    }

    @Test("Ferry attestations hash like the generic encoder", arguments: [UInt64(1), 10, 42161, .max])
    func attestationMatchesGenericEncoder(chainId: UInt64) throws {
        let gateway = try EthereumAddress(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        let domain = EIP712Domain.ferry(chainId: chainId, gateway: gateway)
        #expect(domain.name == "Ferry" && domain.version == "1" && domain.chainId == chainId && domain.verifyingContract == gateway)
        let id = Keccak256.hash("message \(chainId)")
        for (attestation, typeName) in [(FerryAttestation.release(messageId: id), "Release"), (.cancel(messageId: id), "Cancel")] {
            let generic = EIP712Struct(typeName, [("messageId", .bytes32(id))])
            #expect(generic.encodeType == "\(typeName)(bytes32 messageId)")
            #expect(attestation.structHash == generic.hash)
            #expect(attestation.digest(in: domain) == EIP712.digest(domainSeparator: domain.separator, structHash: generic.hash))
            #expect(attestation.messageId == id)
        }
        #expect(FerryAttestation.release(messageId: id).digest(in: domain) != FerryAttestation.cancel(messageId: id).digest(in: domain))
    }

    @Test("a signed attestation names its signer, only in its own domain")
    func signAndRecover() throws {
        let key = try PrivateKey(bytes: Keccak256.hash("relayer").bytes)
        let gateway = try EthereumAddress(hex: "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")
        let domain = EIP712Domain.ferry(chainId: 8453, gateway: gateway)
        let attestation = FerryAttestation.release(messageId: Keccak256.hash("transfer"))
        let signature = try attestation.sign(with: key, in: domain)
        #expect(try attestation.signer(of: signature, in: domain) == key.address)
        #expect(try attestation.signer(of: signature, in: .ferry(chainId: 8454, gateway: gateway)) != key.address)
        #expect(try FerryAttestation.cancel(messageId: attestation.messageId).signer(of: signature, in: domain) != key.address)
    }

    @Test("uint256, bool and bytes members encode as EIP-712 specifies")
    func otherMemberTypes() throws {
        let value = EIP712Struct("T", [("a", .uint256(UInt64(5))), ("b", .bool(true)), ("c", .bytes([1, 2, 3]))])
        #expect(value.encodeType == "T(uint256 a,bool b,bytes c)")
        let expected = Keccak256.hash(
            Keccak256.hash("T(uint256 a,bool b,bytes c)").bytes
                + (try Bytes32(leftPadding: [5])).bytes + (try Bytes32(leftPadding: [1])).bytes + Keccak256.hash([1, 2, 3] as [UInt8]).bytes)
        #expect(value.hash == expected)
    }
}
