import FerryAgent
import FerryAPI
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import ServiceLifecycle

extension FerryHTTPAPI {
    /// `GET /v1/payments/{id}/events`: server-sent events. First the timeline so far, then each new event as it
    /// happens, then an `end` event carrying the final payment once neither the payment nor its escrow will change
    /// (or, for `awaiting_confirmation`, once nothing more happens to it through the API). Each event's `id` is its
    /// position in the timeline; a client that reconnects with `Last-Event-ID: n` gets the events after `n` (any
    /// integer is accepted; one that is not a number, or negative, replays from the start).
    ///
    /// An agent holding ``ServerLimits/maxStreamsPerAgent`` streams, or a server holding ``ServerLimits/maxStreams``,
    /// gets 429 `too-many-streams` with `Retry-After` instead of another stream.
    ///
    /// A comment line is sent after ``ServerLimits/streamKeepAlive`` of silence. The stream ends without `end`
    /// when the client goes away (its connection closes or half-closes) and when the server shuts down gracefully.
    func events(_ request: Request, _ context: FerryContext) async throws -> Response {
        let start = try await owned(context)
        // The slot is claimed here, atomically, before the response exists, and released when the body ends (or,
        // if the body never runs, when the closure holding it is dropped).
        let agent = try self.agent(context)
        let slot: StreamSlots.Slot
        switch streamSlots.claim(agent: agent) {
        case let .success(claimed): slot = claimed
        case let .failure(refused):
            metrics.streamRefused(cap: refused.refusal.rawValue)
            let limit = refused.refusal == .agent ? streamSlots.perAgent : streamSlots.total
            throw ProblemError.tooManyStreams(refused.refusal, limit: limit, retryAfter: Self.streamRetryAfter)
        }
        let sent = Self.resumePosition(Self.lastEventID.flatMap { request.headers[$0] })
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let api = self
        let id = start.id
        let channel = context.channel
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { slot.release() }
            // `stop` is bumped once: when the client leaves or the server starts shutting down.
            let stop = ChangeFeed()
            // Nil only without a connection guard (in-process router tests): then only shutdown stops the stream.
            if let departure = await ClientDeparture.future(of: channel) {
                departure.whenComplete { _ in stop.bump() }
            }
            api.metrics.streamOpened()
            defer { api.metrics.streamClosed() }
            try await withGracefulShutdownHandler {
                try await api.stream(id, from: sent, to: &writer, stop: stop)
            } onGracefulShutdown: {
                stop.bump()
            }
            try await writer.finish(nil)
        })
    }

    /// `Retry-After` seconds on a refused stream.
    static let streamRetryAfter = 5

    /// Where a stream resumes for `Last-Event-ID: header`: the entry after it, never trapping on any number.
    static func resumePosition(_ header: String?) -> Int {
        guard let text = header?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return 0 }
        // Digits too many for an Int: past any timeline's end.
        guard let last = Int(text) else { return text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } ? .max : 0 }
        guard last >= 0 else { return 0 }
        let (next, overflow) = last.addingReportingOverflow(1)
        return overflow ? .max : next
    }

    private enum Wake: Sendable { case changed, quiet, stop }

    private func stream(_ id: String, from position: Int, to writer: inout some ResponseBodyWriter, stop: ChangeFeed) async throws {
        var sent = position
        let keepAlive = limits.streamKeepAlive
        let clock = ContinuousClock()
        // Silence is measured from the last write, so a feed that keeps waking the stream without news for this
        // payment still gets its keep-alive comments.
        var lastWrite = clock.now
        while stop.version == 0, !Task.isCancelled {
            let seen = feed.version
            let payment = try await service.payment(id)
            let view = try await self.view(payment)
            // Read after the state: events written before a final state are all in this timeline.
            let timeline = try await service.timeline(id)
            if timeline.count > sent {
                var chunk = ""
                for (seq, event) in timeline.enumerated().dropFirst(sent) {
                    chunk += try Self.sse(event: event.kind.rawValue, id: "\(seq)", data: ResponseMapping.event(event, seq: seq))
                }
                sent = timeline.count
                try await writer.write(ByteBuffer(string: chunk))
                lastWrite = clock.now
            }
            if view.finished {
                try await writer.write(ByteBuffer(string: try Self.sse(event: "end", id: nil, data: view)))
                return
            }
            let feed = self.feed
            let quietUntil = lastWrite.advanced(by: keepAlive)
            let wake = await withTaskGroup(of: Wake.self) { group in
                group.addTask { _ = await feed.wait(after: seen); return .changed }
                group.addTask { _ = await stop.wait(after: 0); return .stop }
                group.addTask { (try? await Task.sleep(until: quietUntil, clock: clock)) != nil ? .quiet : .stop }
                let first = await group.next() ?? .stop
                group.cancelAll()
                return first
            }
            if wake == .stop { return }
            if clock.now >= quietUntil {
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                lastWrite = clock.now
            }
        }
    }

    static func sse<T: Encodable>(event: String, id: String?, data: T) throws -> String {
        let json = String(decoding: try FerryJSON.encoder().encode(data), as: UTF8.self)
        return "event: \(event)\n" + (id.map { "id: \($0)\n" } ?? "") + "data: \(json)\n\n"
    }
}
