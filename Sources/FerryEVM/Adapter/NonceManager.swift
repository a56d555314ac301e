public import FerryCrypto

/// Hands out transaction nonces per account so concurrent submissions never collide or leave gaps.
///
/// Each account has its own serial lane: a submission takes the account's next nonce, signs and sends, and
/// only then does the next submission for that account start, so nonces reach the node in order (a node
/// without a queue for future nonces, like the test node, refuses gaps). Different accounts proceed in
/// parallel. The first nonce comes from `eth_getTransactionCount(account, "pending")`, so a restarted
/// process continues where the node is. On "nonce too low"/"nonce too high" the account is re-read from the
/// node and the submission retried with the fresh nonce; when a send's outcome is unknown (timeout,
/// connection lost) the next submission re-reads the node rather than guessing.
public actor NonceManager {
    let client: JSONRPCClient
    var lanes: [EthereumAddress: AccountLane] = [:]

    /// - Parameter client: the node the nonces are read from.
    public init(client: JSONRPCClient) { self.client = client }

    /// Runs `send` with the account's next nonce, serially with every other submission for `account`.
    ///
    /// `send` must sign with the nonce it is given and submit; return normally only when the node accepted
    /// the transaction. It may be called again with a fresh nonce after a nonce error.
    /// - Throws: whatever `send` throws last, or ``RPCError`` when the nonce cannot be read.
    public func withNextNonce<T: Sendable>(for account: EthereumAddress,
                                           _ send: @Sendable (UInt64) async throws -> T) async throws -> T {
        try await lane(for: account).run(send)
    }

    /// The nonce the next submission for `account` would get (reads the node if unknown); for diagnostics.
    public func peek(_ account: EthereumAddress) async throws -> UInt64 {
        try await lane(for: account).peek()
    }

    func lane(for account: EthereumAddress) -> AccountLane {
        if let lane = lanes[account] { return lane }
        let lane = AccountLane(account: account, client: client)
        lanes[account] = lane
        return lane
    }
}

/// One account's nonce and its FIFO of waiting submissions.
actor AccountLane {
    let account: EthereumAddress
    let client: JSONRPCClient
    var next: UInt64?
    var busy = false
    var waiters: [CheckedContinuation<Void, Never>] = []
    /// Nonce errors resolved by re-reading before giving up (a node that keeps disagreeing is reported).
    static let maxResyncs = 3

    init(account: EthereumAddress, client: JSONRPCClient) {
        self.account = account
        self.client = client
    }

    func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()  // ownership passes to the next waiter; busy stays true
        }
    }

    func peek() async throws -> UInt64 {
        if let next { return next }
        let fresh = try await client.transactionCount(of: account, at: .pending)
        next = fresh
        return fresh
    }

    func run<T: Sendable>(_ send: @Sendable (UInt64) async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        var resyncs = 0
        while true {
            let nonce: UInt64
            if let next {
                nonce = next
            } else {
                nonce = try await client.transactionCount(of: account, at: .pending)
            }
            do {
                let result = try await send(nonce)
                next = nonce + 1
                return result
            } catch let error as RPCError where Self.isNonceError(error) && resyncs < Self.maxResyncs {
                resyncs += 1
                next = nil
            } catch let error as RPCError where error.isTransient || error == .cancelled(method: "eth_sendRawTransaction") {
                next = nil  // the node may or may not have the transaction: ask it next time
                throw error
            }
            // Any other failure means the node refused the transaction, so the nonce is still free.
        }
    }

    static func isNonceError(_ error: RPCError) -> Bool {
        guard let message = error.nodeMessage else { return false }
        return message.contains("nonce too low") || message.contains("nonce too high") || message.contains("invalid nonce")
    }
}
