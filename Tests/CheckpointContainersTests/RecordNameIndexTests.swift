import XCTest

@testable import CheckpointContainers

/// Names are found and refused as strings compare (canonical equivalence), whether the index compares bytes (every
/// name ASCII) or strings; the name rules' word-at-a-time scan agrees with a byte at a time.
final class RecordNameIndexTests: XCTestCase {
    typealias Entry = RawZipBuilder.Entry

    private func open(_ builder: RawZipBuilder) throws -> (String, () throws -> ZipArchiveReader) {
        let path = try TemporaryDirectory(self).write(builder.bytes(), to: "names.zip")
        return (path, { try ZipArchiveReader(path: path) })
    }

    func testANameThatIsNotASCIIDuplicatesAnASCIIName() throws {
        // U+212A KELVIN SIGN is canonically equivalent to K: the index leaves bytes for strings at the second name.
        let (path, reader) = try open(RawZipBuilder([Entry("x/a", [0]), Entry("x/K", [1]), Entry("x/\u{212A}", [2])]))
        assertThrows(.duplicateRecordName(path: path, name: "x/\u{212A}"), reader)
    }

    func testLookupsInAnArchiveOfASCIINames() throws {
        let names = (0..<1000).map { "archive/data/\($0)" } + ["archive/K", "archive/.data/version"]
        let (_, reader) = try open(RawZipBuilder(names.map { Entry($0, [UInt8(truncatingIfNeeded: $0.count)]) }))
        let archive = try reader()
        for (index, name) in names.enumerated() {
            XCTAssertEqual(archive.record(named: name)?.index, index, name)
        }
        XCTAssertNil(archive.record(named: "archive/data/1000"))
        XCTAssertNil(archive.record(named: "archive/data/"))
        XCTAssertNil(archive.record(named: "archive/k"))
        XCTAssertNil(archive.record(named: "archive/data/1\u{301}"))
        // Not ASCII, yet the same string as an ASCII name.
        XCTAssertEqual(archive.record(named: "archive/\u{212A}")?.name, "archive/K")
    }

    func testLookupsInAnArchiveWithANameThatIsNotASCII() throws {
        let names = ["x/caf\u{E9}", "x/a", "x/K"]
        let (_, reader) = try open(RawZipBuilder(names.map { Entry($0, [1]) }))
        let archive = try reader()
        XCTAssertEqual(archive.record(named: "x/cafe\u{301}")?.index, 0)
        XCTAssertEqual(archive.record(named: "x/a")?.index, 1)
        XCTAssertEqual(archive.record(named: "x/\u{212A}")?.index, 2)
        XCTAssertNil(archive.record(named: "x/b"))
    }

    func testDotsAndZerosAcrossEightByteWords() throws {
        let refused: [(String, String)] = [
            ("abcdef/../x", "the name has a '..' component"),  // the dots straddle bytes 7 and 8
            ("abcdefg/..", "the name has a '..' component"),
            ("abcdefghijklmno\u{0}", "the name contains a NUL byte"),
            ("abcdefgh\\..", "the name has a '..' component"),
        ]
        for (name, reason) in refused {
            let (path, reader) = try open(RawZipBuilder([Entry(name, [1])]))
            assertThrows(.unsafeRecordName(path: path, name: name, reason: reason), reader)
        }
        for name in ["abcdef/.a.b", "abcdefg..h/x", "a/...", "a/.../b", "x/..y", "x/y.."] {
            XCTAssertNil(RecordNameRules.problem(with: Array(name.utf8)), name)
        }
    }

    func testAnEntryCutShortFailsAtTheFieldThatDoesNotFit() throws {
        // The second entry's extra field is declared empty, so its 22 bytes are read as a third entry: signed, then
        // cut short (an entry's fixed part is 46 bytes).
        var second = Entry("x/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", [2])
        second.centralExtra = [0x50, 0x4B, 0x01, 0x02] + [UInt8](repeating: 0, count: 18)
        var builder = RawZipBuilder([Entry("x/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", [1]), second])
        builder.entryCountOverride = 3
        var bytes = builder.bytes()
        let directoryOffset = Int(bytes.readLE(UInt32.self, at: bytes.count - 6))
        let secondEntry = directoryOffset + 46 + builder.entries[0].name.count
        bytes[secondEntry + 30] = 0
        bytes[secondEntry + 31] = 0
        let path = try TemporaryDirectory(self).write(bytes, to: "cut.zip")
        let thirdEntry = secondEntry + 46 + second.name.count
        // 22 bytes remain: the field starting at byte 20 (compressed size, 20..<24) is the first that does not fit.
        assertThrows(
            .malformedCentralDirectory(
                path: path, offset: UInt64(thirdEntry + 20), reason: "entry runs past the directory end")
        ) { try ZipArchiveReader(path: path) }
    }

    func testTheWriterRefusesDuplicatesAmongManyNamesAndCanonicalEquivalents() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("many.pth")
        let writer = try ZipArchiveWriter(path: path)
        for index in 0..<3000 { try writer.addStored(name: "x/data/\(index)", bytes: []) }  // the table grows
        assertThrows(.duplicateRecordName(path: path, name: "x/data/1234")) {
            try writer.addStored(name: "x/data/1234", bytes: [])
        }
        try writer.addStored(name: "x/K", bytes: [])
        assertThrows(.duplicateRecordName(path: path, name: "x/\u{212A}")) { try writer.addStored(name: "x/\u{212A}", bytes: []) }
        try writer.addStored(name: "x/caf\u{E9}", bytes: [])
        assertThrows(.duplicateRecordName(path: path, name: "x/cafe\u{301}")) {
            try writer.addStored(name: "x/cafe\u{301}", bytes: [])
        }
        assertThrows(.duplicateRecordName(path: path, name: "x/data/2999")) {
            try writer.addStored(name: "x/data/2999", bytes: [])
        }
        try writer.finish()
        let archive = try ZipArchiveReader(path: path)
        XCTAssertEqual(archive.records.count, 3002)
        XCTAssertEqual(archive.record(named: "x/data/2999")?.index, 2999)
        XCTAssertEqual(archive.record(named: "x/cafe\u{301}")?.index, 3001)
    }

    func testAWriterRefusingATooLargeRecordStillReportsADuplicateFirst() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("large.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/a", bytes: [1])
        let size = UInt64(Int64.max) - 10
        assertThrows(.duplicateRecordName(path: path, name: "x/a")) {
            try writer.addStored(name: "x/a", size: size, producer: HeldBytesProducer(RecordBytes([])))
        }
        writer.discard()
    }
}
