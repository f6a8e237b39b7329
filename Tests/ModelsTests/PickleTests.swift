import XCTest
@testable import Models

/// The whitelist-only unpickler on hand-made pickles: what it accepts and how it refuses the rest.
final class PickleTests: XCTestCase {
    /// Unpickles `bytes`. (Tests skip ``Unpickler/breakCycles()``, which would empty the result.)
    private func load(_ bytes: [UInt8]) throws -> PickleValue {
        var unpickler = Unpickler(ByteReader(bytes, file: "test.pkl"))
        return try unpickler.load()
    }

    private func assertError(_ bytes: [UInt8], contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(bytes), file: file, line: line) { error in
            XCTAssertTrue(error is CheckpointError, "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(text), "“\(error)” lacks “\(text)”", file: file, line: line)
        }
    }

    func testDictOfScalarsWithMemo() throws {
        // {"a": 1, "b": [True, None, -2, 1.5], "a2": <memo of 1>}: EMPTY_DICT MARK ... SETITEMS STOP
        var bytes: [UInt8] = [0x80, 2, 0x7D, 0x28]
        bytes += [0x8C, 1, 0x61] + [0x4B, 1] + [0x71, 9]                 // "a": 1, memo 9 = 1
        bytes += [0x8C, 1, 0x62, 0x5D, 0x28, 0x88, 0x4E, 0x4A, 0xFE, 0xFF, 0xFF, 0xFF]
        bytes += [0x47, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0, 0x65]                // 1.5 as big-endian double, APPENDS
        bytes += [0x8C, 2, 0x61, 0x32, 0x68, 9, 0x75, 0x2E]               // "a2": memo 9, SETITEMS, STOP
        guard case let .dict(dict) = try load(bytes) else { return XCTFail("not a dict") }
        XCTAssertEqual(dict.items.map { $0.key.stringValue }, ["a", "b", "a2"])
        XCTAssertEqual(dict.items[0].value.intValue, 1)
        XCTAssertEqual(dict.items[2].value.intValue, 1)
        guard case let .list(list) = dict.items[1].value else { return XCTFail("not a list") }
        XCTAssertEqual(list.items.count, 4)
        XCTAssertEqual(list.items[2].intValue, -2)
        guard case let .float(x) = list.items[3] else { return XCTFail("not a float") }
        XCTAssertEqual(x, 1.5)
    }

    func testLong1SignExtends() throws {
        XCTAssertEqual(try load([0x80, 2, 0x8A, 1, 0xFF, 0x2E]).intValue, -1)
        XCTAssertEqual(try load([0x80, 2, 0x8A, 2, 0x00, 0x80, 0x2E]).intValue, -32768)
        XCTAssertEqual(try load([0x80, 2, 0x8A, 0, 0x2E]).intValue, 0)
    }

    func testGlobalsOutsideTheWhitelistAreRefused() {
        assertError([0x80, 2, 0x63] + Array("os\nsystem\n".utf8) + [0x2E], contains: "`os.system`")
        assertError([0x80, 2, 0x63] + Array("builtins\neval\n".utf8) + [0x2E], contains: "not allowed")
    }

    func testOpcodesOutsideTheSubsetNameOpcodeAndOffset() {
        // 'i' (INST) would instantiate an arbitrary class.
        assertError([0x80, 2, 0x4E, 0x69], contains: "opcode 0x69 'i' at offset 3")
        assertError([0x80, 2, 0x94], contains: "opcode 0x94 at offset 2")  // MEMOIZE (protocol 4)
    }

    func testStructuralMistakesAreErrors() {
        assertError([0x80, 2, 0x2E], contains: "empty stack")
        assertError([0x80, 2, 0x75], contains: "without a MARK")
        assertError([0x80, 2, 0x68, 3], contains: "memo slot 3")
        assertError([0x80, 2, 0x4E, 0x4E, 0x2E], contains: "left on the stack")
        assertError([0x80, 2, 0x4B, 1, 0x4B, 2, 0x73], contains: "SETITEM")
        assertError([0x80, 2, 0x58, 0xFF, 0xFF, 0xFF, 0x7F], contains: "cut short")
        assertError([0x80, 2, 0x8C, 2, 0xC3, 0x28, 0x2E], contains: "UTF-8")
        assertError([0x80, 9], contains: "protocol 9")
    }

    func testDeepNestingIsAnErrorNotAStackOverflow() {
        let bytes: [UInt8] = [0x80, 2, 0x29] + [UInt8](repeating: 0x85, count: 200_000) + [0x2E]
        assertError(bytes, contains: "nest deeper")
        // A list appended to itself: a cycle, broken after loading rather than leaked.
        let cycle: [UInt8] = [0x80, 2, 0x5D, 0x71, 0, 0x68, 0, 0x61, 0x2E]
        var unpickler = Unpickler(ByteReader(cycle, file: "cycle.pkl"))
        XCTAssertNoThrow(try unpickler.load())
        unpickler.breakCycles()
    }
}
