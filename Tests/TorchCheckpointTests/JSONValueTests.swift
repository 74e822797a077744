import Foundation
import TorchCheckpoint
import XCTest

/// Reports' JSON: strings escaped as JSON requires, so a JSON reader gets back exactly the text written; the
/// layout stable (ordered keys, two-space indent, scalar arrays on one line).
final class JSONValueTests: XCTestCase {
    func testEveryStringReadsBackAsWritten() throws {
        let texts = [
            "plain", "", "quote \" backslash \\ slash /", "line\nbreak\r\ttab", "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1b}\u{1f}\u{7f}",
            "é日本😀", "\u{212A}\r\n", "ends in a backslash \\",
        ]
        let json = JSONValue.object(texts.enumerated().map { ("k\($0.offset) \"\n", .string($0.element)) })
        let read = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.serialized().utf8)) as? [String: String])
        for (index, text) in texts.enumerated() { XCTAssertEqual(read["k\(index) \"\n"], text) }
        XCTAssertEqual(JSONValue.string("a\u{1}\"").serialized(), #""a\u0001\"""#)
    }

    func testLayoutIsStable() {
        let json = JSONValue.object([
            ("a", .array([.int(1), .double(2.5), .null])), ("b", .array([.object([("c", .bool(true))]), .array([])])),
            ("d", .object([])),
        ])
        XCTAssertEqual(
            json.serialized(),
            "{\n  \"a\": [1, 2.5, null],\n  \"b\": [\n    {\n      \"c\": true\n    },\n    []\n  ],\n  \"d\": {}\n}")
        XCTAssertEqual(json.serialized(indent: 0), #"{"a":[1, 2.5, null],"b":[{"c":true},[]],"d":{}}"#)
    }
}
