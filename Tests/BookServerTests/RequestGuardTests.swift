import BookServer
import Foundation
import XCTest

final class RequestGuardTests: XCTestCase {
    let token = RequestGuard.makeToken()
    var requestGuard: RequestGuard { RequestGuard(host: "127.0.0.1", port: 8000, token: token) }

    func testOwnHostAndOriginPass() {
        for host in ["127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "[::1]:8000"] {
            XCTAssertNil(requestGuard.refusal(write: false, authority: host, origin: nil, token: nil), host)
        }
        XCTAssertNil(requestGuard.refusal(write: true, authority: "127.0.0.1:8000", origin: "http://127.0.0.1:8000", token: token))
        XCTAssertNil(requestGuard.refusal(write: true, authority: "localhost:8000", origin: "http://localhost:8000", token: token))
    }

    func testForeignHostIsRefused() {
        for host in ["evil.example:8000", "127.0.0.1:8001", "127.0.0.1", "127.0.0.1.nip.io:8000", ""] {
            XCTAssertEqual(requestGuard.refusal(write: false, authority: host, origin: nil, token: nil), .badHost(host), host)
        }
        XCTAssertEqual(requestGuard.refusal(write: false, authority: nil, origin: nil, token: nil), .badHost(nil))
        XCTAssertEqual(requestGuard.refusal(write: false, authority: "127.0.0.1:8000", hostFields: 2, origin: nil, token: nil),
                       .badHost("127.0.0.1:8000"))
    }

    func testForeignOrMissingOriginIsRefused() {
        for origin in ["http://evil.example", "http://evil.example:8000", "https://127.0.0.1:8000", "http://127.0.0.1:9999",
                       "null", "http://127.0.0.1:8000/path"] {
            XCTAssertEqual(requestGuard.refusal(write: false, authority: "127.0.0.1:8000", origin: origin, token: nil),
                           .badOrigin(origin), origin)
        }
        XCTAssertEqual(requestGuard.refusal(write: true, authority: "127.0.0.1:8000", origin: nil, token: token), .badOrigin(nil))
    }

    func testWritesNeedTheToken() {
        for wrong in [nil, "", String(token.dropLast()), String(token.dropLast()) + "0", RequestGuard.makeToken()] where wrong != token {
            XCTAssertEqual(requestGuard.refusal(write: true, authority: "127.0.0.1:8000", origin: "http://127.0.0.1:8000", token: wrong),
                           .badToken, wrong ?? "nil")
        }
        XCTAssertNotEqual(RequestGuard.makeToken(), RequestGuard.makeToken())
        XCTAssertEqual(token.count, 64)
    }

    func testGivenHostIsAcceptedBesideLoopback() {
        let lan = RequestGuard(host: "book.local", port: 9000, token: token)
        XCTAssertNil(lan.refusal(write: false, authority: "book.local:9000", origin: "http://book.local:9000", token: nil))
        XCTAssertNil(lan.refusal(write: false, authority: "127.0.0.1:9000", origin: nil, token: nil))
        XCTAssertNotNil(lan.refusal(write: false, authority: "other.local:9000", origin: nil, token: nil))
    }
}
