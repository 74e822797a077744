import TorchCheckpoint
import XCTest

/// The readable reports' tables: columns padded to their widest cell, by characters when a row is not ASCII,
/// with no line ending in a space.
final class TableColumnsTests: XCTestCase {
    func testNonASCIIRowsArePaddedByCharacters() {
        XCTAssertEqual(Formatting.table([["é", "x"], ["ab", "y"]]), ["é   x", "ab  y"])
        XCTAssertEqual(Formatting.table([["日本", "1"], ["abc", "22"]], rightAligned: [1]), ["日本    1", "abc  22"])
        XCTAssertEqual(
            Formatting.table([["é ", "x"], ["ab", ""], ["\u{212A}\r\n", "z"]]), ["é   x", "ab", "\u{212A}\r\n  z"])
    }

    func testSpacesEndingACellAreKeptInsideALineAndTrimmedAtItsEnd() {
        XCTAssertEqual(Formatting.table([["a ", "b"], ["a", ""], ["  ", " "]]), ["a   b", "a", ""])
    }

    func testShortRowsEndWhereTheirCellsEnd() {
        XCTAssertEqual(Formatting.table([["name", "x", "y"], ["n"]]), ["name  x  y", "n"])
    }

    func testRowsWrittenIntoBytesKeepTheirIndentAndAreJoinedByNewlines() {
        var bytes = Array("> ".utf8)
        TableColumns([["a", "1"], [""], ["bb", "1,000"]]).write(into: &bytes, rightAligned: [1], indent: "  ")
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), ">   a       1\n  \n  bb  1,000")
    }

    func testNumbersWrittenIntoCellsReadAsFormattingWritesThem() {
        let values = [0, 7, 999, 1000, 12_345, 123_456_789, -1, -999, -1000, -1_234_567, Int.max, Int.min]
        var table = TableColumns(columns: 2)
        for value in values {
            table.addCount(value)
            table.endCell()
            table.addShape([value, 3])
            table.endCell()
        }
        var bytes: [UInt8] = []
        table.write(into: &bytes)
        let expected = Formatting.table(values.map { [Formatting.count($0), Formatting.shape([$0, 3])] })
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), expected.joined(separator: "\n"))
        XCTAssertEqual(Formatting.count(-1_234_567), "-1,234,567")
        XCTAssertEqual(Formatting.shape([2, 3]), "[2, 3]")
    }
}
