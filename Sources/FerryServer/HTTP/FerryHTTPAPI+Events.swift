import FerryAgent
import FerryAPI
import Foundation
import Hummingbird
import HTTPTypes

extension FerryHTTPAPI {
    /// `GET /v1/payments/{id}/events`: server-sent events. First the timeline so far, then each new event as it
    /// happens, then an `end` event carrying the final payment once neither the payment nor its escrow will change.
    /// Each event's `id` is its position in the timeline; a client that reconnects with `Last-Event-ID: n` gets
    /// the events after `n`. A comment line is sent every 15 s of silence to keep proxies from closing the stream.
    func events(_ request: Request, _ context: FerryContext) async throws -> Response {
        let start = try await owned(context)
        let resumeAfter = Self.lastEventID.flatMap { request.headers[$0] }.flatMap { Int($0) }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let api = self
        let id = start.id
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var sent = max(0, (resumeAfter ?? -1) + 1)
            var seen: UInt64 = 0
            while !Task.isCancelled {
                seen = api.feed.version
                let payment = try await api.service.payment(id)
                let view = try await api.view(payment)
                // Read after the state: events written before a final state are all in this timeline.
                let timeline = try await api.service.timeline(id)
                if timeline.count > sent {
                    var chunk = ""
                    for (seq, event) in timeline.enumerated().dropFirst(sent) {
                        chunk += try Self.sse(event: event.kind.rawValue, id: "\(seq)", data: ResponseMapping.event(event, seq: seq))
                    }
                    sent = timeline.count
                    try await writer.write(ByteBuffer(string: chunk))
                }
                if view.finished {
                    try await writer.write(ByteBuffer(string: try Self.sse(event: "end", id: nil, data: view)))
                    break
                }
                let feed = api.feed
                let observed = seen
                let changed = await withTaskGroup(of: Bool.self) { group in
                    group.addTask { _ = await feed.wait(after: observed); return true }
                    group.addTask { (try? await Task.sleep(for: .seconds(15))) != nil ? false : true }
                    let first = await group.next() ?? true
                    group.cancelAll()
                    return first
                }
                if !changed { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
            }
            try await writer.finish(nil)
        })
    }

    static func sse<T: Encodable>(event: String, id: String?, data: T) throws -> String {
        let json = String(decoding: try FerryJSON.encoder().encode(data), as: UTF8.self)
        return "event: \(event)\n" + (id.map { "id: \($0)\n" } ?? "") + "data: \(json)\n\n"
    }
}
