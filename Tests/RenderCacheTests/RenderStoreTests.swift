import Foundation
@testable import RenderCache
import XCTest

final class RenderStoreTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("render-store-\(UUID())")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func key(_ text: String) -> String { SHA256.hex(of: Array(text.utf8)) }

    func testStoredBytesComeBackAndOtherKeysMiss() throws {
        let store = RenderStore(folder: folder)
        let payload = Data((0..<5000).map { UInt8(truncatingIfNeeded: $0) })
        XCTAssertNil(store.load(key("a")))
        try store.store(payload, for: key("a"))
        XCTAssertEqual(store.load(key("a")), payload)
        XCTAssertNil(store.load(key("b")))
        // A second store replaces the entry whole.
        try store.store(Data("new".utf8), for: key("a"))
        XCTAssertEqual(store.load(key("a")), Data("new".utf8))
    }

    /// Every truncation and a flipped byte anywhere are misses; storing again repairs the entry.
    func testTruncatedOrCorruptEntryIsAMissAndIsReplaced() throws {
        let store = RenderStore(folder: folder)
        let payload = Data((0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try store.store(payload, for: key("x"))
        let file = store.file(for: key("x"))
        let framed = try Data(contentsOf: file)
        for length in [0, 5, RenderStore.headerSize - 1, RenderStore.headerSize, framed.count - 1] {
            try framed.prefix(length).write(to: file)
            XCTAssertNil(store.load(key("x")), "truncated to \(length) bytes")
        }
        for position in [0, 12, RenderStore.headerSize + 4, framed.count - 1] {
            var corrupt = framed
            corrupt[position] ^= 0x40
            try corrupt.write(to: file)
            XCTAssertNil(store.load(key("x")), "byte \(position) flipped")
        }
        try store.store(payload, for: key("x"))
        XCTAssertEqual(store.load(key("x")), payload)
    }

    /// Over the limit, the least recently used entries go first; a hit counts as a use.
    func testLeastRecentlyUsedEntriesAreRemovedFirst() throws {
        let entry = Data(repeating: 1, count: 1000)
        let size = entry.count + RenderStore.headerSize
        let store = RenderStore(folder: folder, limit: 3 * size)
        for (age, name) in ["a", "b", "c"].enumerated() {
            try store.store(entry, for: key(name))
            // Distinct, increasing times (a file system may keep whole seconds only).
            let time = Date(timeIntervalSinceNow: Double(age - 10) * 60)
            try FileManager.default.setAttributes([.modificationDate: time], ofItemAtPath: store.file(for: key(name)).path)
        }
        XCTAssertNotNil(store.load(key("a")))   // a is now the most recently used
        try store.store(entry, for: key("d"))   // over the limit: b, the oldest, goes
        XCTAssertNil(store.load(key("b")))
        XCTAssertNotNil(store.load(key("a")))
        XCTAssertNotNil(store.load(key("c")))
        XCTAssertNotNil(store.load(key("d")))
        XCTAssertLessThanOrEqual(store.size, store.limit)
    }

    func testStaleTemporariesAreSweptFreshOnesKept() throws {
        let store = RenderStore(folder: folder)
        try store.store(Data("x".utf8), for: key("x"))
        let shard = store.file(for: key("x")).deletingLastPathComponent()
        let stale = shard.appendingPathComponent(".\(key("y")).1.2.tmp"), fresh = shard.appendingPathComponent(".\(key("z")).1.3.tmp")
        try Data("half".utf8).write(to: stale)
        try Data("half".utf8).write(to: fresh)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: stale.path)
        store.trim()
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: fresh.path))
    }

    func testUnwritableFolderIsATypedError() throws {
        let blocker = folder.appendingPathComponent("file")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data().write(to: blocker)
        let store = RenderStore(folder: blocker)   // a regular file where the folder should be
        XCTAssertThrowsError(try store.store(Data("x".utf8), for: key("x"))) { error in
            XCTAssertTrue(error is RenderStoreError, "\(error)")
        }
    }

    /// Two processes storing and loading the same keys at once: every load is a miss or the exact
    /// payload, never a torn entry.
    func testTwoProcessesAtOnceNeverSeeATornEntry() throws {
        let store = RenderStore(folder: folder, limit: 64 << 10)
        let keys = (0..<20).map { key("k\($0)") }
        func payload(_ k: String, _ writer: Int) -> Data { Data(repeating: UInt8(writer), count: 4000 + Int(k.utf8.first!) % 7 * 100) }
        let child = fork()
        if child == 0 {
            let childStore = RenderStore(folder: folder, limit: 64 << 10)
            for round in 0..<30 { for k in keys { try? childStore.store(payload(k, 2), for: k); _ = childStore.load(keys[round % keys.count]) } }
            _exit(0)
        }
        XCTAssertGreaterThan(child, 0)
        var torn = 0
        for _ in 0..<30 {
            for k in keys {
                try store.store(payload(k, 1), for: k)
                if let loaded = store.load(k), loaded != payload(k, 1), loaded != payload(k, 2) { torn += 1 }
            }
        }
        var status: Int32 = 0
        waitpid(child, &status, 0)
        XCTAssertEqual(torn, 0)
        XCTAssertLessThanOrEqual(store.size, store.limit)
    }
}
