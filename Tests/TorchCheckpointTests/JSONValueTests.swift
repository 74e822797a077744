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

    func testElementsMadeAsWrittenAndTextInPartsReadAsTheWholeArray() {
        let objects = (0..<50).map { JSONValue.object([("i", .int($0)), ("name", .string("n\($0) \"é\""))]) }
        let scalars = (0..<5).map { JSONValue.int($0) }
        let whole = JSONValue.object([("o", .array(objects)), ("s", .array(scalars)), ("e", .array([]))])
        let made = JSONValue.object([
            ("o", .elements(count: objects.count) { objects[$0] }), ("s", .elements(count: scalars.count) { scalars[$0] }),
            ("e", .elements(count: 0) { _ in .null }),
        ])
        for indent in [0, 2] {
            XCTAssertEqual(made.serialized(indent: indent), whole.serialized(indent: indent))
            var parts: [String] = []
            made.serialized(indent: indent, chunk: 16) { parts.append($0) }
            XCTAssertGreaterThan(parts.count, 10)
            XCTAssertEqual(parts.joined(), whole.serialized(indent: indent))
        }
    }

    func testIntegersAndDeepIndentationReadAsSwiftPrintsThem() {
        let ints = [0, 7, -1, 999, 1000, -1000, 12_345_678, Int.max, Int.min]
        XCTAssertEqual(
            JSONValue.array(ints.map(JSONValue.int)).serialized(), "[" + ints.map(String.init).joined(separator: ", ") + "]")
        var nested = JSONValue.array([.int(1)])
        for _ in 0..<70 { nested = .array([nested]) }
        let opening = (0..<70).map { String(repeating: " ", count: 2 * $0) + "[" }
        let closing = (0..<70).reversed().map { String(repeating: " ", count: 2 * $0) + "]" }
        let expected = opening + [String(repeating: " ", count: 140) + "[1]"] + closing
        XCTAssertEqual(nested.serialized(), expected.joined(separator: "\n"))
    }
}
