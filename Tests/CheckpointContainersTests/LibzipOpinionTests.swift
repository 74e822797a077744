import XCTest

@testable import CheckpointContainers

/// When the reader asks libzip for a second opinion: only where libzip could read the archive otherwise
/// than our parser (see ``ZipArchiveReader``); then libzip's refusal is the error, as it always was.
final class LibzipOpinionTests: XCTestCase {
    typealias Entry = RawZipBuilder.Entry

    private func reader(_ bytes: [UInt8]) throws -> (String, () throws -> ZipArchiveReader) {
        let path = try TemporaryDirectory(self).write(bytes, to: "archive.zip")
        return (path, { try ZipArchiveReader(path: path) })
    }

    private func torchStyle(_ entries: [Entry]) -> RawZipBuilder {
        var builder = RawZipBuilder(
            entries.map { entry in
                var entry = entry
                entry.deferredSizes = true
                return entry
            })
        builder.zip64End = true
        return builder
    }

    func testTorchArchivesAreReadByOurParserAlone() throws {
        let path = try TemporaryDirectory(self).write(FixtureArchives.torchSmall, to: "small.pth")
        XCTAssertFalse(try ZipArchiveReader(path: path).consultedLibzip)
        let (_, open) = try reader(torchStyle([Entry("x/data.pkl", [0x80, 2, 0x4E, 0x2E]), Entry("x/data/0", [1, 2])]).bytes())
        XCTAssertFalse(try open().consultedLibzip)
    }

    func testArchivesWithCompressedRecordsAreJudgedByLibzip() throws {
        let path = try TemporaryDirectory(self).write(FixtureArchives.pythonDeflated, to: "ts.zip")
        XCTAssertTrue(try ZipArchiveReader(path: path).consultedLibzip)
    }

    func testLocalHeaderNeedingANewerVersionGetsLibzipsVerdict() throws {
        var entry = Entry("x/a", [1, 2, 3])
        entry.localVersion = 45
        let (path, open) = try reader(RawZipBuilder([entry, Entry("x/b", [4])]).bytes())
        assertThrows(.inconsistentArchive(path: path, detail: "libzip: Zip archive inconsistent"), open)
    }

    func testLocalHeaderWithAnotherCRCGetsLibzipsVerdict() throws {
        var entry = Entry("x/a", [1, 2, 3])
        entry.localCRC = 7
        let (path, open) = try reader(RawZipBuilder([Entry("x/b", [4]), entry]).bytes())
        assertThrows(.inconsistentArchive(path: path, detail: "libzip: Zip archive inconsistent"), open)
    }

    func testLocalHeaderWithSizesAsWellAsADescriptorIsOurs() throws {
        // Sizes and CRC repeated in the local header although bit 3 is set (as Info-ZIP writes): libzip accepts it.
        var entry = Entry("x/a", [1, 2, 3])
        entry.flags = 0x0008
        let (_, open) = try reader(RawZipBuilder([entry]).bytes())
        XCTAssertFalse(try open().consultedLibzip)
    }

    func testAnotherEndRecordSignatureNearTheEndAsksLibzip() throws {
        // A record's bytes that hold the end-record signature: libzip might take them for the end record.
        let (_, open) = try reader(torchStyle([Entry("x/a", [0x50, 0x4B, 0x05, 0x06, 0, 0]), Entry("x/b", [9])]).bytes())
        let archive = try open()
        XCTAssertTrue(archive.consultedLibzip)
        XCTAssertEqual(try archive.readAll(archive.records[0], maxSize: 16), [0x50, 0x4B, 0x05, 0x06, 0, 0])
    }

    func testMalformedExtraFieldAsksLibzip() throws {
        var entry = Entry("x/a", [1])
        entry.centralExtra = [0x42, 0x46, 0x10, 0x00, 0x5A]  // declares 16 bytes, holds 1
        let (path, open) = try reader(RawZipBuilder([entry]).bytes())
        XCTAssertThrowsError(try open()) { error in
            guard case .inconsistentArchive(let failedPath, _)? = error as? ContainerError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(failedPath, path)
        }
    }
}

/// Local headers read a window at a time: every record's bytes are found, whatever the directory's order.
final class LocalHeaderWindowTests: XCTestCase {
    func testThousandsOfSmallRecordsInAnyDirectoryOrder() throws {
        let entries = (0..<5000).map { index in
            var entry = RawZipBuilder.Entry("x/data/\(index)", (0..<16).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) })
            entry.deferredSizes = true
            entry.localExtra = [0x42, 0x46, UInt8(index % 40), 0] + [UInt8](repeating: 0x5A, count: index % 40)
            return entry
        }
        for order in [
            Array(entries.indices), entries.indices.reversed(),
            entries.indices.sorted { ($0 * 7919) % 5000 < ($1 * 7919) % 5000 },
        ] {
            var builder = RawZipBuilder(entries)
            builder.zip64End = true
            builder.centralOrder = order
            let path = try TemporaryDirectory(self).write(builder.bytes(), to: "many.zip")
            let archive = try ZipArchiveReader(path: path)
            XCTAssertFalse(archive.consultedLibzip)
            XCTAssertEqual(archive.records.map(\.name), order.map { "x/data/\($0)" })
            for record in archive.records {
                let index = Int(record.name.dropFirst("x/data/".count))!
                XCTAssertEqual(try archive.readAll(record, maxSize: 16), entries[index].data, record.name)
            }
        }
    }

    func testRecordsFarApartAreEachFound() throws {
        let large = [UInt8](repeating: 7, count: 200_000)
        var builder = RawZipBuilder([
            RawZipBuilder.Entry("x/a", large), RawZipBuilder.Entry("x/b", [1, 2]), RawZipBuilder.Entry("x/c", large),
        ])
        builder.zip64End = true
        let path = try TemporaryDirectory(self).write(builder.bytes(), to: "far.zip")
        let archive = try ZipArchiveReader(path: path)
        XCTAssertEqual(try archive.readAll(archive.records[1], maxSize: 2), [1, 2])
        XCTAssertEqual(try archive.readAll(archive.records[2], maxSize: 200_000), large)
    }
}
