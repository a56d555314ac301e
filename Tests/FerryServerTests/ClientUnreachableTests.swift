import FerryClient
import Foundation
import Testing

@Suite("FerryClient against a server that is down")
struct ClientUnreachableTests {
    @Test("a refused connection is a transport error at once, not after the 30 s request timeout")
    func refusedAtOnce() async throws {
        // Bound but not listening: connecting is refused, and no other test can take the port meanwhile.
        let (fd, port) = try boundPort()
        defer { close(fd) }
        let client = FerryClient(baseURL: "http://127.0.0.1:\(port)", apiKey: "unused")
        let started = ContinuousClock.now
        do {
            _ = try await client.chains()
            Issue.record("a closed port answered")
        } catch {
            guard case .transport = error else { Issue.record("expected .transport, got \(error)"); return }
            #expect("\(error)".contains("is `ferry serve` running there?"))
        }
        // AsyncHTTPClient's shared client kept retrying the refusal until the 30 s deadline.
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    /// A loopback port bound by a socket that never listens (the caller closes the descriptor).
    private func boundPort() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { close(fd); throw POSIXError(.EADDRNOTAVAIL) }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
