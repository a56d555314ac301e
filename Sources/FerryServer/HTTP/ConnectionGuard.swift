import NIOCore
import NIOHTTPTypes

/// Per-connection guard, after HTTP decoding: notices a client that went away, and cuts off a client that takes
/// longer than ``ServerLimits/requestReadTimeout`` to send one request (head through the end of its body).
///
/// Hummingbird lets the remote half-close a connection, so a client that closes its socket leaves a half-open
/// channel (CLOSE-WAIT) that nothing writes to while an event stream waits for news. This handler completes its
/// departure future when the input closes or the channel goes inactive (an event stream ends when it sees it; see
/// ``ClientDeparture``), and closes the connection at once when the input closes halfway through a request. An idle
/// connection whose input closes is closed by Hummingbird itself.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let requestReadTimeout: TimeAmount
    private var departure: EventLoopPromise<Void>?
    private var readDeadline: Scheduled<Void>?
    private var reading = false

    init(requestReadTimeout: TimeAmount) { self.requestReadTimeout = requestReadTimeout }

    /// Completes when the client has gone (its input closed, or the connection closed). Event loop only.
    func departureFuture(on loop: any EventLoop) -> EventLoopFuture<Void> {
        if let departure { return departure.futureResult }
        let promise = loop.makePromise(of: Void.self)
        departure = promise
        return promise.futureResult
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if departure == nil { departure = context.eventLoop.makePromise(of: Void.self) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        readDeadline?.cancel()
        departure?.succeed()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            reading = true
            readDeadline?.cancel()
            let channel = context.channel
            readDeadline = context.eventLoop.scheduleTask(in: requestReadTimeout) { channel.close(promise: nil) }
        case .end:
            reading = false
            readDeadline?.cancel()
            readDeadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            departure?.succeed()
            // A half-sent request will never be completed now.
            if reading { context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        readDeadline?.cancel()
        departure?.succeed()
        context.fireChannelInactive()
    }
}

/// Finds out when the client of a request goes away (see ``ConnectionGuardHandler``).
enum ClientDeparture {
    /// A future completing when the client behind `channel` has gone; nil when the channel has no guard (in-process
    /// tests).
    static func future(of channel: any Channel) async -> EventLoopFuture<Void>? {
        let loop = channel.eventLoop
        return try? await loop.submit { () throws -> EventLoopFuture<Void> in
            try channel.pipeline.syncOperations.handler(type: ConnectionGuardHandler.self).departureFuture(on: loop)
        }.get()
    }
}
