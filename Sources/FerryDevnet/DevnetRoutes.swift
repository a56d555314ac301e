import FerryChains
import FerryCore
import FerryCrypto
public import Hummingbird
import ServiceLifecycle

/// The devnet's HTTP API: the chain API under `/v1/chains` (what ``RemoteChainAdapter`` speaks) and the admin
/// API under `/devnet` (faucet, liquidity, faults, clock; needs the admin token). `docs/devnet.md` documents both.
public enum DevnetRoutes {
    /// A router serving `devnet`.
    public static func router(for devnet: Devnet) -> Router<DevnetRequestContext> {
        let router = Router(context: DevnetRequestContext.self)
        router.add(middleware: DevnetErrorMiddleware())
        addChainRoutes(to: router, devnet: devnet)
        addAdminRoutes(to: router, devnet: devnet)
        return router
    }

    static func addChainRoutes(to router: Router<DevnetRequestContext>, devnet: Devnet) {
        let chains = router.group(RouterPath(DevnetAPI.chainsPath))
        chains.get { _, _ in
            let listings = devnet.chainIDs.compactMap { id in
                devnet.ledgers[id].map { DevnetAPI.ChainListing(info: $0.config.info, url: "\(DevnetAPI.chainsPath)/\(id.rawValue)") }
            }
            return JSONResponse.make(DevnetAPI.ChainList(chains: listings))
        }
        chains.get(":chain") { _, context in
            JSONResponse.make(try Param.chain(context, in: devnet).config.info)
        }
        chains.get(":chain/head") { _, context in
            let ledger = try Param.chain(context, in: devnet)
            return JSONResponse.make(try await ChainError.answering { () throws(ChainError) in try await ledger.head() })
        }
        chains.get(":chain/finalized") { _, context in
            let ledger = try Param.chain(context, in: devnet)
            let height = try await ChainError.answering { () throws(ChainError) in try await ledger.finalizedHeight() }
            return JSONResponse.make(DevnetAPI.Height(height: height))
        }
        chains.get(":chain/fees") { _, context in
            let ledger = try Param.chain(context, in: devnet)
            return JSONResponse.make(try await ChainError.answering { () throws(ChainError) in try await ledger.feeEstimate() })
        }
        chains.get(":chain/relayers") { _, context in
            let ledger = try Param.chain(context, in: devnet)
            return JSONResponse.make(try await ChainError.answering { () throws(ChainError) in try await ledger.relayerSet() })
        }
        chains.get(":chain/accounts/:account/balances/:asset") { _, context in
            let ledger = try Param.chain(context, in: devnet)
            let account = try Param.address(context.parameters.get("account"), field: "account")
            let asset = context.parameters.get("asset") ?? ""
            let amount = try await ChainError.answering { () throws(ChainError) in try await ledger.balance(of: account, asset: asset) }
            return JSONResponse.make(DevnetAPI.Balance(amount: amount))
        }
        chains.get(":chain/transaction-template") { request, context in
            let ledger = try Param.chain(context, in: devnet)
            let query = request.uri.queryParameters
            let from = try Param.address(query.get("from"), field: "from")
            let kind = try Param.choice(query.get("call"), field: "call", as: GatewayCallKind.self)
            let priority = try Param.choice(query.get("priority"), field: "priority", as: FeePriority.self)
            let terms = try await ChainError.answering { () throws(ChainError) in
                try await ledger.transactionTemplate(from: from, kind: kind, priority: priority)
            }
            return JSONResponse.make(DevnetAPI.TransactionTemplate(chain: ledger.chain, from: from, nonce: terms.nonce, bid: terms.bid))
        }
        chains.post(":chain/transactions") { request, context in
            let ledger = try Param.chain(context, in: devnet)
            let tx = try await JSONResponse.decode(SimTransaction.self, from: request, context: context)
            // The ledger verifies the sender's signature over the signing hash before accepting anything.
            let id = try await ChainError.answering { () throws(ChainError) in try await ledger.submit(signed: tx) }
            return JSONResponse.make(DevnetAPI.Submitted(id: id), status: .created)
        }
        chains.get(":chain/transactions/:tx") { _, context in
            let ledger = try Param.chain(context, in: devnet)
            let id = TxID(try Param.bytes32(context.parameters.get("tx"), field: "tx"))
            return JSONResponse.make(try await ChainError.answering { () throws(ChainError) in try await ledger.transaction(id) })
        }
        chains.get(":chain/gateway/:messageId") { _, context in
            let ledger = try Param.chain(context, in: devnet)
            let id = try Param.bytes32(context.parameters.get("messageId"), field: "messageId")
            return JSONResponse.make(try await ChainError.answering { () throws(ChainError) in try await ledger.gatewayState(of: id) })
        }
        chains.get(":chain/gateway/:messageId/onward") { _, context in
            let ledger = try Param.chain(context, in: devnet)
            let id = try Param.bytes32(context.parameters.get("messageId"), field: "messageId")
            return JSONResponse.make(DevnetAPI.OnwardHops(hops: try await ChainError.answering { () throws(ChainError) in
                try await ledger.onwardHops(of: id)
            }))
        }
        chains.post(":chain/events") { request, context in
            let ledger = try Param.chain(context, in: devnet)
            let poll = try await JSONResponse.decode(DevnetAPI.PollRequest.self, from: request, context: context)
            return JSONResponse.make(await longPoll(ledger, poll))
        }
    }

    /// Polls `ledger` after the request's cursor; when nothing is new, waits for the next block, a reorg, the
    /// timeout or the server's shutdown, whichever comes first, and polls again.
    static func longPoll(_ ledger: SimulatedLedger, _ request: DevnetAPI.PollRequest) async -> DevnetAPI.PollResponse {
        let deadline = ContinuousClock.now + .milliseconds(Int64(request.timeoutMillis))
        var cursor = request.cursor
        while true {
            let batch = await ledger.poll(cursor, maxBlocks: request.maxBlocks)
            cursor = batch.cursor
            if !batch.events.isEmpty || ContinuousClock.now >= deadline || Task.isCancelled {
                return DevnetAPI.PollResponse(events: batch.events, cursor: cursor, reachable: batch.reachable)
            }
            let generation = batch.generation, due = batch.nextBlockDueMillis
            let interrupted = await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await ledger.waitForChange(after: generation) }
                    group.addTask { try? await ledger.clock.sleep(untilUnixMillis: due) }
                    group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
                    await group.next()
                    group.cancelAll()
                }
                return Task.isCancelled
            }
            if interrupted || Task.isCancelled {
                return DevnetAPI.PollResponse(events: [], cursor: cursor, reachable: batch.reachable)
            }
        }
    }
}
