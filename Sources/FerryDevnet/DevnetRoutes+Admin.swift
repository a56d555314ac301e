import FerryChains
import FerryCore
import Hummingbird

extension DevnetRoutes {
    /// `/devnet/…`: devnet-only calls for tests, demos and operators. Each needs the admin token in
    /// ``DevnetAPI/adminTokenHeader``; without a token configured they are all refused.
    static func addAdminRoutes(to router: Router<DevnetRequestContext>, devnet: Devnet) {
        let admin = router.group(RouterPath(DevnetAPI.adminPath)).add(middleware: AdminGuard(token: devnet.adminToken))
        admin.get("time") { _, _ in
            JSONResponse.make(DevnetAPI.ClockState(offsetMillis: devnet.clock.offsetMillis, nowMillis: devnet.clock.unixMillis))
        }
        admin.post("time") { request, context in
            let body = try await JSONResponse.decode(DevnetAPI.AdvanceTimeRequest.self, from: request, context: context)
            return JSONResponse.make(await devnet.advanceTime(millis: body.milliseconds))
        }
        admin.post("chains/:chain/fund") { request, context in
            let ledger = try Param.chain(context, in: devnet)
            let body = try await JSONResponse.decode(DevnetAPI.FundRequest.self, from: request, context: context)
            try await ChainError.answering { () throws(ChainError) in
                try await ledger.fund(body.account, asset: body.asset, amount: body.amount)
            }
            return JSONResponse.make(DevnetAPI.Done())
        }
        admin.post("chains/:chain/liquidity") { request, context in
            let ledger = try Param.chain(context, in: devnet)
            let body = try await JSONResponse.decode(DevnetAPI.LiquidityRequest.self, from: request, context: context)
            try await ChainError.answering { () throws(ChainError) in try await ledger.addLiquidity(body.asset, amount: body.amount) }
            return JSONResponse.make(DevnetAPI.Done())
        }
        admin.post("chains/:chain/faults") { request, context in
            let ledger = try Param.chain(context, in: devnet)
            let fault = try await JSONResponse.decode(Fault.self, from: request, context: context)
            try await ChainError.answering { () throws(ChainError) in try await ledger.apply(fault) }
            context.logger.info("devnet fault applied", metadata: ["chain": "\(ledger.chain.rawValue)", "fault": "\(fault)"])
            return JSONResponse.make(DevnetAPI.Done())
        }
        admin.post("chains/:chain/end-outage") { _, context in
            let ledger = try Param.chain(context, in: devnet)
            await ledger.endOutage()
            return JSONResponse.make(DevnetAPI.Done())
        }
        admin.get("chains/:chain/conservation") { _, context in
            let ledger = try Param.chain(context, in: devnet)
            let lines = await ledger.conservation().map { DevnetAPI.ConservationLine(asset: $0.asset, holds: $0.holds, detail: "\($0)") }
            return JSONResponse.make(lines)
        }
    }
}

/// Refuses admin calls without the devnet's admin token (403), and all of them when no token is configured.
struct AdminGuard<Context: RequestContext>: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else {
            throw DevnetHTTPError(DevnetErrorBody(code: .forbidden, message: "the admin API is disabled on this devnet"))
        }
        let header = DevnetAPI.adminTokenHeader.lowercased()
        guard let given = request.headers.first(where: { $0.name.canonicalName == header })?.value,
              constantTimeEquals(given.utf8, token.utf8) else {
            throw DevnetHTTPError(DevnetErrorBody(
                code: .forbidden,
                message: "admin calls need the header \(DevnetAPI.adminTokenHeader) with the token `ferry devnet` printed at start"))
        }
        return try await next(request, context)
    }

    private func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }  // lengths are not secret
        return zip(a, b).reduce(into: UInt8(0)) { $0 |= $1.0 ^ $1.1 } == 0
    }
}
