public import FerryAgent
import FerryAPI
public import FerryChains
public import FerryCore
import FerryRouter
import Foundation
public import Hummingbird
import HTTPTypes
public import Logging

/// Ferry's HTTP API (`docs/openapi.yaml`): quotes, payments with idempotency keys, server-sent status events,
/// escrow confirmation, chains, policy, health and metrics, over one ``PaymentService``.
///
/// Every error is an RFC 9457 problem; `/v1` needs a bearer key from the ``APIKeyStore``, and payments are
/// scoped to the agent whose key created them.
public struct FerryHTTPAPI: Sendable {
    let service: PaymentService
    let adapters: [ChainID: any ChainAdapter]
    let lanes: [BridgeLane]
    let keys: APIKeyStore
    let feed: ChangeFeed
    /// The server's metrics.
    public let metrics: ServerMetrics
    let quotes = QuoteBook()
    let mapping: RequestMapping
    let responses: ResponseMapping
    let logger: Logger
    let now: @Sendable () -> UInt64
    /// Timeouts, the connection cap and the event-stream keep-alive.
    public let limits: ServerLimits
    /// Event-stream slots per agent and in all (``ServerLimits/maxStreamsPerAgent``, ``ServerLimits/maxStreams``).
    let streamSlots: StreamSlots
    /// Longest request body accepted.
    static let maxBody = 64 * 1024
    /// Nil only if HTTPTypes rejected the literal name (it does not).
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")
    static let lastEventID = HTTPField.Name("Last-Event-ID")

    /// Creates the API.
    /// - Parameters:
    ///   - now: the service's clock, unix ms.
    ///   - feed: bumped by whatever moves payments (the world driver); event streams wait on it.
    ///   - limits: timeouts, the connection cap and the event-stream keep-alive.
    public init(service: PaymentService, adapters: [ChainID: any ChainAdapter], lanes: [BridgeLane], keys: APIKeyStore,
                feed: ChangeFeed, metrics: ServerMetrics, limits: ServerLimits = .init(), now: @escaping @Sendable () -> UInt64,
                logger: Logger) {
        self.now = now
        self.limits = limits
        self.streamSlots = StreamSlots(perAgent: limits.maxStreamsPerAgent, total: limits.effectiveMaxStreams)
        self.service = service
        self.adapters = adapters
        self.lanes = lanes
        self.keys = keys
        self.feed = feed
        self.metrics = metrics
        self.mapping = RequestMapping(service: service)
        self.responses = ResponseMapping(adapters: adapters)
        self.logger = logger
    }

    /// A router with every route registered.
    public func router() -> Hummingbird.Router<FerryContext> {
        let router = Hummingbird.Router(context: FerryContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: RouteFallbackMiddleware(routes: Self.routes))
        router.get("/healthz") { _, _ in try await self.health() }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let text = await self.metrics.exposition(adapters: self.adapters)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        let v1 = router.group("v1").add(middleware: APIKeyMiddleware(keys: keys))
        v1.post("quotes") { request, context in await self.guarded { try await self.quote(request, context) } }
        v1.post("payments") { request, context in await self.guarded { try await self.pay(request, context) } }
        v1.get("payments/:id") { _, context in await self.guarded { try await self.status(context) } }
        v1.get("payments/:id/events") { request, context in await self.guarded { try await self.events(request, context) } }
        v1.post("escrows/:id/confirm") { request, context in await self.guarded { try await self.confirm(request, context) } }
        v1.get("chains") { _, _ in await self.guarded { try await self.chains() } }
        v1.get("policy") { _, _ in await self.guarded { try await self.policy() } }
        return router
    }

    /// Every route's path and methods (for 405 answers); ``router()`` registers exactly these.
    static let routes: [(path: String, methods: [HTTPRequest.Method])] = [
        ("/healthz", [.get]), ("/metrics", [.get]), ("/v1/quotes", [.post]), ("/v1/payments", [.post]), ("/v1/payments/:id", [.get]),
        ("/v1/payments/:id/events", [.get]), ("/v1/escrows/:id/confirm", [.post]), ("/v1/chains", [.get]), ("/v1/policy", [.get]),
    ]

    /// Runs a handler, turning every error into a problem response.
    func guarded(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as ProblemError {
            return error.response()
        } catch let error as PaymentError {
            return ProblemError.from(error).response()
        } catch {
            logger.error("unexpected error: \(error)")
            return ProblemError(.internalServerError, "internal", "Internal error", detail: "\(error)").response()
        }
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try FerryJSON.encoder().encode(value))))
    }

    static func body(_ request: Request) async throws -> Data {
        do {
            let buffer = try await request.body.collect(upTo: maxBody)
            return Data(buffer.readableBytesView)
        } catch {
            throw ProblemError(.contentTooLarge, "body-too-large", "Request body too large",
                               detail: "request bodies are limited to \(maxBody) bytes")
        }
    }

    func agent(_ context: FerryContext) throws -> String {
        guard let agent = context.agent else { throw ProblemError.unauthorized }
        return agent
    }

    // MARK: Routes

    func health() async throws -> Response {
        var chains: [String: UInt64] = [:]
        for (id, adapter) in adapters { chains["\(id.rawValue)"] = try? await adapter.head().height }
        return try Self.json(Health(status: "ok", chains: chains))
    }

    struct Health: Encodable {
        let status: String
        /// Head height per chain id.
        let chains: [String: UInt64]
    }

    func quote(_ request: Request, _ context: FerryContext) async throws -> Response {
        let agent = try agent(context)
        let body = try RequestMapping.decode(APIPaymentRequest.self, from: try await Self.body(request), schema: .payment)
        let domain = try mapping.paymentRequest(body)
        let quote = try await service.quote(domain)
        let check = try await preview(quote)
        let id = await quotes.remember(quote, for: domain, agent: agent)
        metrics.quoted()
        return try Self.json(responses.quote(quote, id: id, check: check))
    }

    /// The policy's verdict on `quote` now (nothing reserved).
    func preview(_ quote: PaymentQuote) async throws -> APIPolicyCheck {
        let usage: BudgetUsage
        do { usage = try await service.budget.usage(nowMs: quote.route.snapshotTakenAtMs) } catch { throw PaymentError.store(error) }
        let engine = service.engine
        switch engine.check(quote, counterparty: quote.receiver, nowMs: quote.route.snapshotTakenAtMs, usage: usage, confirmed: false) {
        case let .approved(value): return APIPolicyCheck(decision: "approved", value: engine.policy.format(value.value))
        case let .refused(r): return APIPolicyCheck(decision: "refused", rule: r.rule.rawValue, message: r.message)
        case let .needsConfirmation(r): return APIPolicyCheck(decision: "confirmation_required", rule: r.rule.rawValue, message: r.message)
        }
    }

    func pay(_ request: Request, _ context: FerryContext) async throws -> Response {
        let agent = try agent(context)
        guard let key = Self.idempotencyKey.flatMap({ request.headers[$0] }), !key.isEmpty else {
            throw ProblemError.invalidField("Idempotency-Key",
                                            "the Idempotency-Key header is required: a unique string per payment (e.g. a UUID); retrying with the same key never pays twice")
        }
        guard key.count <= 128, key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ProblemError.invalidField("Idempotency-Key", "Idempotency-Key must be 1...128 printable ASCII characters without spaces")
        }
        let body = try RequestMapping.decode(APIPaymentRequest.self, from: try await Self.body(request), schema: .payment)
        let domain = try mapping.paymentRequest(body)
        var given: PaymentQuote?
        if let id = body.quoteID { given = try await quotes.quote(id, for: domain, agent: agent) }
        let payment: Payment
        do throws(PaymentError) { payment = try await service.pay(domain, idempotencyKey: key, owner: agent, quote: given) } catch {
            throw ProblemError.from(error, chainField: "from.chain", assetField: "from.asset")
        }
        feed.bump()
        metrics.paid(state: payment.state.rawValue)
        switch payment.state {
        case .refused:
            let refusal = payment.refusal ?? PolicyRefusal(rule: .quoteExpired, message: "refused")
            metrics.refused(rule: refusal.rule.rawValue)
            return ProblemError.refused(refusal, paymentID: payment.id).response()
        case .awaitingConfirmation:
            return try Self.json(try await view(payment), status: .accepted)
        default:
            return try Self.json(try await view(payment), status: .created)
        }
    }

    func view(_ payment: Payment) async throws -> APIPayment {
        var escrow: EscrowRecord?
        if let id = payment.escrowID { escrow = try await service.escrow(id) }
        return responses.payment(payment, escrow: escrow, policy: service.engine.policy)
    }

    /// The payment `id` if it belongs to the context's agent (another agent's payment is "not found").
    func owned(_ context: FerryContext) async throws -> Payment {
        let agent = try agent(context)
        let id = context.parameters.get("id") ?? ""
        let payment: Payment
        do { payment = try await service.payment(id) } catch { throw ProblemError.from(error) }
        guard payment.owner == agent else { throw ProblemError.from(PaymentError.notFound(what: "payment", id: id)) }
        return payment
    }

    func status(_ context: FerryContext) async throws -> Response {
        try Self.json(try await view(try await owned(context)))
    }

    func confirm(_ request: Request, _ context: FerryContext) async throws -> Response {
        let agent = try agent(context)
        let id = context.parameters.get("id") ?? ""
        let escrow = try await service.escrow(id)
        let payment = try await service.payment(escrow.paymentID)
        guard payment.owner == agent else { throw PaymentError.notFound(what: "escrow", id: id) }
        let body = try RequestMapping.decode(APIConfirmRequest.self, from: try await Self.body(request), schema: .confirm)
        let evidence = try RequestMapping.evidence(body)
        let paid = try await service.confirmDelivery(escrowID: id, evidence: evidence)
        feed.bump()
        return try Self.json(responses.escrow(paid))
    }

    func chains() async throws -> Response {
        var out: [APIChain] = []
        for (id, adapter) in adapters.sorted(by: { $0.key < $1.key }) {
            let info = adapter.info
            let head: UInt64
            let finalized: UInt64
            do {
                head = try await adapter.head().height
                finalized = try await adapter.finalizedHeight()
            } catch { throw PaymentError.chain(error) }
            out.append(APIChain(id: id.rawValue, name: info.name, family: info.family.rawValue, nativeAsset: info.nativeAsset.symbol,
                                assets: info.assets.map { APIAssetInfo(symbol: $0.symbol, decimals: $0.decimals) },
                                finalityDepth: info.finalityDepth, blockTimeMs: info.blockTimeMillis, head: head, finalized: finalized))
        }
        let lanes = lanes.map { lane in
            APILane(id: "\(lane.bridge):\(lane.from)>\(lane.to)", from: ResponseMapping.api(lane.from), to: ResponseMapping.api(lane.to),
                    bridge: lane.bridge, flatFee: responses.format(lane.flatFee, lane.from), feePPM: lane.feePPM,
                    latency: APILatency(p50Ms: lane.latency.p50Ms, p95Ms: lane.latency.p95Ms))
        }
        return try Self.json(APIChains(chains: out, lanes: lanes))
    }

    func policy() async throws -> Response {
        let p = service.engine.policy
        let usage: BudgetUsage
        do { usage = try await service.budget.usage(nowMs: now()) } catch { throw PaymentError.store(error) }
        let plain: (Amount) -> String = { $0.formatted(decimals: p.referenceDecimals) }
        return try Self.json(APIPolicy(
            referenceUnit: p.referenceUnit, perPaymentCap: p.perPaymentCap.map(plain), confirmAbove: p.confirmAbove.map(plain),
            maxFeePPM: p.maxFeePPM, maxLatencyMs: p.maxLatencyMs, windowSeconds: p.windowSeconds,
            budgets: p.budgets.mapValues(plain), used: usage.mapValues(plain), allowedChains: p.allowedChains.map { $0.map(\.rawValue).sorted() },
            deniedChains: p.deniedChains.map(\.rawValue).sorted(), allowedAssets: p.allowedAssets.map { $0.sorted() },
            deniedAssets: p.deniedAssets.sorted()))
    }
}
