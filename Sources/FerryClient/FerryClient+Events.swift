public import FerryAPI
import AsyncHTTPClient
import Foundation
import NIOCore

/// One item of a payment's event stream.
public enum PaymentUpdate: Sendable, Hashable {
    /// A timeline entry (past ones first, then live ones).
    case event(APIEvent)
    /// The stream is over: the payment (and its escrow) reached a final state, shown here.
    case end(APIPayment)
}

extension FerryClient {
    /// The payment's timeline as server-sent events: every event so far, then live ones, then `.end` with the final
    /// payment. The stream finishes after `.end`; it throws ``FerryClientError`` when the request or connection fails.
    /// Cancelling the consuming task closes the connection.
    public func events(_ id: String) -> AsyncThrowingStream<PaymentUpdate, any Error> {
        let reader = EventStreamReader(client: self, path: "/v1/payments/\(Self.escape(id))/events")
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }
}

/// Reads one SSE response lazily: connects on the first `next()`, then parses `event:`/`id:`/`data:` blocks.
actor EventStreamReader {
    let client: FerryClient
    let path: String
    var iterator: HTTPClientResponse.Body.AsyncIterator?
    var buffer: [UInt8] = []
    var done = false
    /// Longest single event accepted.
    static let maxEvent = 1 << 20

    init(client: FerryClient, path: String) {
        self.client = client
        self.path = path
    }

    func next() async throws -> PaymentUpdate? {
        guard !done else { return nil }
        if iterator == nil { try await connect() }
        while true {
            if let block = takeBlock() {
                if let update = try parse(block) { return update }
                continue
            }
            guard buffer.count <= Self.maxEvent else {
                throw FerryClientError.unexpectedResponse(status: 200, body: "an event longer than \(Self.maxEvent) bytes")
            }
            var it = iterator
            let chunk: ByteBuffer?
            do { chunk = try await it?.next(isolation: self) } catch {
                throw FerryClientError.transport(url: client.baseURL + path, underlying: "\(error)")
            }
            iterator = it
            guard let chunk else {
                done = true
                return nil
            }
            buffer += chunk.readableBytesView
        }
    }

    private func connect() async throws {
        let request = client.request(.GET, path, headers: [("Accept", "text/event-stream")])
        let response: HTTPClientResponse
        do { response = try await client.http.execute(request, deadline: .distantFuture) } catch {
            throw FerryClientError.transport(url: client.baseURL + path, underlying: "\(error)")
        }
        guard response.status.code == 200 else {
            let data = (try? await response.body.collect(upTo: FerryClient.maxBody)).map { Data($0.readableBytesView) } ?? Data()
            throw FerryClient.failure(status: Int(response.status.code), data: data)
        }
        iterator = response.body.makeAsyncIterator()
    }

    /// The next complete block (up to a blank line), removed from the buffer.
    private func takeBlock() -> String? {
        guard buffer.count >= 2 else { return nil }
        for i in 0..<(buffer.count - 1) where buffer[i] == 0x0A && buffer[i + 1] == 0x0A {
            let block = String(decoding: buffer[..<i], as: UTF8.self)
            buffer.removeFirst(i + 2)
            return block
        }
        return nil
    }

    private func parse(_ block: String) throws -> PaymentUpdate? {
        var event = "message"
        var data = ""
        for line in block.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix(":") { continue }
            if line.hasPrefix("event:") { event = line.dropFirst(6).trimmingCharacters(in: .whitespaces) }
            if line.hasPrefix("data:") { data += line.dropFirst(5).trimmingCharacters(in: .whitespaces) }
        }
        guard !data.isEmpty else { return nil }
        do {
            if event == "end" {
                done = true
                return .end(try FerryJSON.decoder().decode(APIPayment.self, from: Data(data.utf8)))
            }
            return .event(try FerryJSON.decoder().decode(APIEvent.self, from: Data(data.utf8)))
        } catch {
            throw FerryClientError.unexpectedResponse(status: 200, body: "event \(event): \(data.prefix(200))")
        }
    }
}
