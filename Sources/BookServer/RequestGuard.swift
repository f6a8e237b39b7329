import Foundation

/// Which requests the server answers at all: the first line of defence of `fvbook serve`.
///
/// * **Host.** The `Host` header must name this server (`127.0.0.1:PORT`, `localhost:PORT`,
///   `[::1]:PORT`, or the `--host` name with the port). A page from another site that makes the
///   browser resolve its own name to 127.0.0.1 (DNS rebinding) sends its own name, and is refused.
/// * **Origin.** When present, it must be this server's (`http://HOST:PORT`). Writes must carry
///   one: browsers send it with every POST, so a missing one is not a browser on our page.
/// * **Token.** Writes carry `X-FVBook-Token`, a random value made when the server starts and
///   embedded in the pages it serves. Another site cannot read it (the same-origin policy), and a
///   custom header cannot be sent cross-site without a CORS preflight this server never grants.
///
/// ```swift
/// let guard = RequestGuard(host: "127.0.0.1", port: 8000, token: token)
/// guard.refusal(method: "POST", authority: "evil.example:8000", origin: nil, token: nil)   // .badHost
/// ```
public struct RequestGuard: Sendable {
    /// The `Host` values this server answers to.
    public let authorities: Set<String>
    public let token: String

    public init(host: String, port: Int, token: String) {
        var names: Set<String> = ["127.0.0.1", "localhost", "[::1]"]
        if !["0.0.0.0", "::", "[::]"].contains(host) { names.insert(Self.bracketed(host)) }
        authorities = Set(names.map { "\($0.lowercased()):\(port)" })
        self.token = token
    }

    /// Why a request is refused, or nil when it may go on.
    public enum Refusal: Equatable, CustomStringConvertible, Sendable {
        case badHost(String?)
        case badOrigin(String?)
        case badToken

        public var description: String {
            switch self {
            case let .badHost(host): return "refused: Host \(host.map { "'\($0)'" } ?? "missing") is not this server"
            case let .badOrigin(origin): return "refused: Origin \(origin.map { "'\($0)'" } ?? "missing") is not this server"
            case .badToken: return "refused: missing or wrong X-FVBook-Token"
            }
        }
    }

    /// Checks a request's `Host` (`authority`, and how many `Host` fields it had), `Origin` and,
    /// for writes, its token.
    public func refusal(write: Bool, authority: String?, hostFields: Int = 1, origin: String?, token: String?) -> Refusal? {
        guard hostFields <= 1, let authority, authorities.contains(authority.lowercased()) else { return .badHost(authority) }
        if let origin {
            guard let url = URL(string: origin), url.scheme == "http", let host = url.host, let port = url.port,
                  url.path.isEmpty, authorities.contains("\(Self.bracketed(host)):\(port)".lowercased())
            else { return .badOrigin(origin) }
        } else if write {
            return .badOrigin(nil)
        }
        if write {
            guard let token, Self.constantTimeEqual(token, self.token) else { return .badToken }
        }
        return nil
    }

    /// An IPv6 address as it appears in a Host header (`[::1]`).
    private static func bracketed(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }

    /// Compares without stopping at the first difference, so timing tells nothing about the token.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A fresh token: 32 random bytes as hex, from the system's generator.
    public static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
