public import AsyncHTTPClient
public import FerryCore

/// Why a devnet admin call failed.
public enum DevnetAdminError: Error, Sendable, CustomStringConvertible {
    /// The devnet could not be reached (or did not answer in time).
    case unreachable(String)
    /// The devnet answered with an error (wrong token, unknown chain or asset, a fault it cannot apply).
    case refused(DevnetErrorBody)
    /// The answer broke the API.
    case malformed(String)

    public var description: String {
        switch self {
        case let .unreachable(what): "the devnet is unreachable: \(what)"
        case let .refused(body): "the devnet refused the admin call: \(body.message)"
        case let .malformed(what): "malformed answer from the devnet: \(what)"
        }
    }

    init(_ failure: DevnetFailure) {
        switch failure {
        case let .transport(what): self = .unreachable(what)
        case let .answer(body): self = .refused(body)
        case let .malformed(what): self = .malformed(what)
        }
    }
}

/// The devnet's admin API (`/devnet/…`), for tests, demos and operators: faucet, pool liquidity, faults and
/// clock. Every call carries the admin token `ferry devnet` printed at start.
public struct DevnetAdminClient: Sendable {
    let transport: DevnetTransport

    /// - Parameters:
    ///   - devnetURL: the devnet's root URL, `http://127.0.0.1:8645`.
    ///   - adminToken: the token `ferry devnet` printed (its `adminToken` JSON field).
    public init(devnetURL: String, adminToken: String, httpClient: HTTPClient = RemoteChainAdapter.sharedHTTPClient, requestTimeout: Duration = .seconds(30)) {
        transport = DevnetTransport(client: httpClient, root: devnetURL, requestTimeout: requestTimeout,
                                    headers: [(DevnetAPI.adminTokenHeader, adminToken)])
    }

    /// Every chain the devnet serves (a chain-API call; no token needed).
    public func chains() async throws(DevnetAdminError) -> [DevnetAPI.ChainListing] {
        let list: DevnetAPI.ChainList = try await call { () throws(DevnetFailure) in try await transport.get(DevnetAPI.chainsPath) }
        return list.chains
    }

    /// Creates `amount` of `asset` in `account` on `chain`.
    public func fund(_ account: Address, asset: String, amount: Amount, on chain: ChainID) async throws(DevnetAdminError) {
        try await post("/chains/\(chain.rawValue)/fund", DevnetAPI.FundRequest(account: account, asset: asset, amount: amount))
    }

    /// Adds `amount` of `asset` to `chain`'s gateway pool.
    public func addLiquidity(_ asset: String, amount: Amount, on chain: ChainID) async throws(DevnetAdminError) {
        try await post("/chains/\(chain.rawValue)/liquidity", DevnetAPI.LiquidityRequest(asset: asset, amount: amount))
    }

    /// Applies `fault` to `chain` now.
    public func apply(_ fault: Fault, on chain: ChainID) async throws(DevnetAdminError) {
        try await post("/chains/\(chain.rawValue)/faults", fault)
    }

    /// Ends an outage on `chain` early.
    public func endOutage(on chain: ChainID) async throws(DevnetAdminError) {
        try await post("/chains/\(chain.rawValue)/end-outage", DevnetAPI.Done())
    }

    /// Moves every chain's clock forward by `milliseconds`; the blocks due are produced before this returns.
    @discardableResult
    public func advanceTime(milliseconds: UInt64) async throws(DevnetAdminError) -> DevnetAPI.ClockState {
        try await call { () throws(DevnetFailure) in
            try await transport.post(DevnetAPI.adminPath + "/time", body: DevnetAPI.AdvanceTimeRequest(milliseconds: milliseconds))
        }
    }

    private func post(_ path: String, _ body: some Encodable & Sendable) async throws(DevnetAdminError) {
        let _: DevnetAPI.Done = try await call { () throws(DevnetFailure) in
            try await transport.post(DevnetAPI.adminPath + path, body: body)
        }
    }

    private func call<T>(_ body: () async throws(DevnetFailure) -> T) async throws(DevnetAdminError) -> T {
        do { return try await body() } catch { throw DevnetAdminError(error) }
    }
}
