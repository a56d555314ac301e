public import FerryCore
public import FerryCrypto

/// Why an `exact` EVM payment is refused, as the wire strings of the SDK's facilitator
/// (`mechanisms/evm/constants.py`), so a resource server shows the same reason whichever facilitator it uses.
public enum ExactEVMRefusal: String, Error, Sendable, CaseIterable, CustomStringConvertible {
    case unsupportedScheme = "unsupported_scheme"
    case networkMismatch = "network_mismatch"
    case unsupportedNetwork = "invalid_exact_evm_failed_to_get_network_config"
    case missingEIP712Domain = "missing_eip712_domain"
    case recipientMismatch = "invalid_exact_evm_payload_recipient_mismatch"
    case valueMismatch = "invalid_exact_evm_payload_authorization_value_mismatch"
    case validBeforeExpired = "invalid_exact_evm_payload_authorization_valid_before"
    case validAfterFuture = "invalid_exact_evm_payload_authorization_valid_after"
    case invalidSignature = "invalid_exact_evm_payload_signature"

    /// The wire reason (`invalidReason` of a ``VerifyResponse``).
    public var description: String { rawValue }
}

extension PaymentRequirements {
    /// The token's EIP-712 domain for an `exact` EVM requirement: `{extra.name, extra.version, chainId, asset}`.
    /// - Throws: ``ExactEVMRefusal/unsupportedNetwork`` for a network that is not `eip155`,
    ///   ``ExactEVMRefusal/missingEIP712Domain`` when `extra` lacks a string `name` or `version` or `asset`
    ///   is not an address.
    public func eip3009Domain() throws(ExactEVMRefusal) -> EIP712Domain {
        guard let chainId = network.evmChainId else { throw .unsupportedNetwork }
        guard let name = extra["name"]?.stringValue, let version = extra["version"]?.stringValue,
              let token = try? evmAsset()
        else { throw .missingEIP712Domain }
        return EIP712Domain(name: name, version: version, chainId: chainId, verifyingContract: token)
    }
}

/// The off-chain checks of the SDK's `exact` EVM facilitator (`mechanisms/evm/exact/facilitator.py: verify`),
/// in its order: scheme, network, EIP-712 domain, recipient, value, time window, signature. What only the
/// chain knows (nonce unused, balance) is the settler's job.
public enum ExactEVMVerification {
    /// The least time an authorization must still be valid for, in seconds (the SDK's `now + 6`).
    public static let validBeforeMargin: UInt64 = 6

    /// Checks `payload` against the server's `requirements` at unix time `now`.
    /// - Returns: the payer (the recovered signer, equal to `authorization.from`).
    /// - Throws: the first ``ExactEVMRefusal`` met.
    public static func check(_ payload: ExactEVMPayload, accepted: PaymentRequirements,
                             requirements: PaymentRequirements, now: UInt64) throws(ExactEVMRefusal) -> EthereumAddress {
        guard accepted.scheme == "exact", requirements.scheme == "exact" else { throw .unsupportedScheme }
        guard accepted.network == requirements.network else { throw .networkMismatch }
        let domain = try requirements.eip3009Domain()
        guard let payTo = try? requirements.evmPayTo(), payload.authorization.to == payTo else { throw .recipientMismatch }
        guard payload.authorization.value == requirements.amount else { throw .valueMismatch }
        let (earliest, overflow) = now.addingReportingOverflow(validBeforeMargin)
        guard !overflow, !(payload.authorization.validBefore < Amount(earliest)) else { throw .validBeforeExpired }
        guard !(Amount(now) < payload.authorization.validAfter) else { throw .validAfterFuture }
        guard let signer = try? payload.signer(in: domain), signer == payload.authorization.from else { throw .invalidSignature }
        return signer
    }
}
