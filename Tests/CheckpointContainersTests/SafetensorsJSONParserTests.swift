import XCTest

@testable import CheckpointContainers

/// The header JSON parser and UTF-8 check: what JSON allows, what it does not, and where errors point.
final class SafetensorsJSONParserTests: XCTestCase {
    private func parse(_ text: String, depth: Int = 64) throws -> SafetensorsJSON {
        try SafetensorsJSONParser.parse(Array(text.utf8), maxDepth: depth)
    }

    private func failure(_ text: String, depth: Int = 64) -> SafetensorsJSONParser.Failure? {
        do {
            _ = try SafetensorsJSONParser.parse(Array(text.utf8), maxDepth: depth)
            return nil
        } catch {
            return error
        }
    }

    func testValues() throws {
        XCTAssertEqual(
            try parse(#" {"a" : [1, 0, -2, 1.5e3, true, false, null, "x"]}   "#),
            .object([
                (
                    key: "a",
                    value: .array([
                        .integer(1), .integer(0), .number("-2"), .number("1.5e3"), .bool(true), .bool(false), .null, .string("x"),
                    ])
                )
            ]))
        XCTAssertEqual(try parse("18446744073709551615"), .integer(UInt64.max))
        XCTAssertEqual(try parse("18446744073709551616"), .number("18446744073709551616"))
    }

    func testObjectsKeepDuplicateKeysInOrder() throws {
        XCTAssertEqual(try parse(#"{"k":1,"k":2}"#), .object([(key: "k", value: .integer(1)), (key: "k", value: .integer(2))]))
    }

    func testStringEscapes() throws {
        XCTAssertEqual(try parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#), .string("a\"b\\c/d\u{8}\u{C}\n\r\té😀"))
        XCTAssertEqual(try parse("\"é😀\""), .string("é😀"))
    }

    func testRefusals() {
        XCTAssertEqual(failure("{\"a\":1,}"), .invalid(index: 7, reason: "expected a string key"))
        XCTAssertEqual(failure("[1,]"), .invalid(index: 3, reason: "unexpected character where a value should start"))
        XCTAssertEqual(failure("01"), .invalid(index: 1, reason: "a number may not have leading zeros"))
        XCTAssertEqual(failure("1."), .invalid(index: 2, reason: "expected a digit after '.'"))
        XCTAssertEqual(failure("\"a\u{1}\""), .invalid(index: 2, reason: "a control character inside a string must be escaped"))
        XCTAssertEqual(failure(#""\x""#), .invalid(index: 2, reason: "unknown escape"))
        XCTAssertEqual(failure(#""\ud83d""#), .invalid(index: 7, reason: "a high surrogate escape must be followed by a low one"))
        XCTAssertEqual(failure(#""\ude00""#), .invalid(index: 7, reason: "a lone low surrogate escape"))
        XCTAssertEqual(failure("tru"), .invalid(index: 0, reason: "unknown literal (expected true)"))
        XCTAssertEqual(failure("\"abc"), .invalid(index: 4, reason: "the header ends inside a string"))
        XCTAssertEqual(failure(""), .invalid(index: 0, reason: "the header ends where a value should start"))
        XCTAssertEqual(failure("{}\0"), .invalid(index: 2, reason: "unexpected text after the JSON value"))
    }

    func testDepthLimit() {
        XCTAssertNil(failure("[[[]]]", depth: 3))
        XCTAssertEqual(failure("[[[[]]]]", depth: 3), .tooDeep(index: 3))
        XCTAssertEqual(failure(String(repeating: "[", count: 100_000), depth: 64), .tooDeep(index: 64))
    }

    func testUTF8Validation() {
        XCTAssertNil(SafetensorsUTF8.firstInvalidIndex(in: Array("aé€😀".utf8)))
        XCTAssertEqual(SafetensorsUTF8.firstInvalidIndex(in: [0x61, 0xC0, 0x80]), 1)  // overlong
        XCTAssertEqual(SafetensorsUTF8.firstInvalidIndex(in: [0xED, 0xA0, 0x80]), 1)  // surrogate
        XCTAssertEqual(SafetensorsUTF8.firstInvalidIndex(in: [0xF4, 0x90, 0x80, 0x80]), 1)  // above U+10FFFF
        XCTAssertEqual(SafetensorsUTF8.firstInvalidIndex(in: [0x61, 0xE2, 0x82]), 1)  // truncated
        XCTAssertEqual(SafetensorsUTF8.firstInvalidIndex(in: [0xE2, 0x82, 0x41]), 2)  // bad continuation
        XCTAssertEqual(SafetensorsUTF8.firstInvalidIndex(in: [0x80]), 0)  // stray continuation
    }
}
