public import FerryAPI

/// Why a ``FerryClient`` call failed. `.problem` carries the server's RFC 9457 problem details: `field` names the
/// request field at fault, `rule` the policy rule that refused a payment.
public enum FerryClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with a problem (4xx/5xx, `application/problem+json`).
    case problem(APIProblem)
    /// The request did not reach the server or the connection broke (`underlying` says how).
    case transport(url: String, underlying: String)
    /// The server answered with something that is not the documented body.
    case unexpectedResponse(status: Int, body: String)

    /// The problem details, when the server sent them.
    public var problem: APIProblem? {
        if case let .problem(p) = self { return p }
        return nil
    }

    public var description: String {
        switch self {
        case let .problem(p):
            var text = "\(p.status) \(p.title): \(p.detail)"
            if let field = p.field { text += " [field \(field)]" }
            if let rule = p.rule { text += " [rule \(rule)]" }
            return text
        case let .transport(url, underlying): return "cannot reach \(url): \(underlying); is `ferry serve` running there?"
        case let .unexpectedResponse(status, body): return "unexpected response \(status): \(body.prefix(200))"
        }
    }
}
