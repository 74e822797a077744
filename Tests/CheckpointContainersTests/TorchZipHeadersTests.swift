import XCTest

@testable import CheckpointContainers

/// The header bytes in the cases the committed torch fixtures do not reach (zip64, clamped fields,
/// more than 65535 entries), field by field as pth-format.md §1.3–1.5 gives them.
final class TorchZipHeadersTests: XCTestCase {
    private func placement(header: UInt64, size: UInt64, padding: Int = 0) -> RecordPlacement {
        RecordPlacement(
            headerOffset: header, size: size, sizeNeedsZip64: size >= 0xFFFF_FFFF,
            offsetNeedsZip64: header >= 0xFFFF_FFFF, padding: padding, dataOffset: 0)
    }

    func testLocalHeaderOfAnEmptyRecordHasNoDescriptorFlag() {
        let bytes = TorchZipHeaders.localHeader(name: Array("a/b".utf8), placement: placement(header: 0, size: 0, padding: 2))
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 6), 0x0800)
        XCTAssertEqual(Array(bytes[30...]), Array("a/b".utf8) + [0x46, 0x42, 2, 0, 0x5A, 0x5A])
        XCTAssertEqual(TorchZipHeaders.dataDescriptor(crc32: 0, placement: placement(header: 0, size: 0)), [])
    }

    func testLocalZip64FieldHoldsSizeThenZeroThenOffset() {
        let place = placement(header: 0x1_2345_6789, size: 0x2_0000_0001, padding: 3)
        let bytes = TorchZipHeaders.localHeader(name: [0x78], placement: place)
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 4), 0)  // version needed
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 6), 0x0808)
        XCTAssertEqual(bytes.readLE(UInt64.self, at: 14 + 4), 0)  // sizes deferred, even with zip64
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 28), 28 + 4 + 3)
        var expected: [UInt8] = [0x78]
        expected.le(UInt16(1))
        expected.le(UInt16(24))
        expected.le(UInt64(0x2_0000_0001))
        expected.le(UInt64(0))
        expected.le(UInt64(0x1_2345_6789))
        expected += [0x46, 0x42, 3, 0, 0x5A, 0x5A, 0x5A]
        XCTAssertEqual(Array(bytes[30...]), expected)
    }

    func testDescriptorIs24BytesWhenEitherFieldNeedsZip64() {
        let bySize = TorchZipHeaders.dataDescriptor(crc32: 0xDEAD_BEEF, placement: placement(header: 0, size: 0xFFFF_FFFF))
        var expected: [UInt8] = []
        expected.le(UInt32(0x0807_4B50))
        expected.le(UInt32(0xDEAD_BEEF))
        expected.le(UInt64(0xFFFF_FFFF))
        expected.le(UInt64(0xFFFF_FFFF))
        XCTAssertEqual(bySize, expected)
        let byOffset = TorchZipHeaders.dataDescriptor(crc32: 1, placement: placement(header: 0xFFFF_FFFF, size: 5))
        XCTAssertEqual(byOffset.count, 24)
        XCTAssertEqual(byOffset.readLE(UInt64.self, at: 8), 5)
        XCTAssertEqual(TorchZipHeaders.dataDescriptor(crc32: 1, placement: placement(header: 0xFFFF_FFFE, size: 5)).count, 16)
    }

    func testCentralEntryClampsAndCarriesZip64Values() {
        let record = WrittenRecord(
            name: Array("n".utf8), placement: placement(header: 0x1_0000_0000, size: 0xFFFF_FFFF), crc32: 7)
        let bytes = TorchZipHeaders.centralEntry(record)
        XCTAssertEqual(bytes.count, TorchZipHeaders.centralEntryLength(1, record.placement))
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 4), 0)  // made by, needed
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 8), 0x0808)
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 16), 7)
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 20), 0xFFFF_FFFF)
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 24), 0xFFFF_FFFF)
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 30), 28)
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 38), 0)  // external attributes
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 42), 0xFFFF_FFFF)
        var extra: [UInt8] = []
        extra.le(UInt16(1))
        extra.le(UInt16(24))
        extra.le(UInt64(0xFFFF_FFFF))
        extra.le(UInt64(0xFFFF_FFFF))
        extra.le(UInt64(0x1_0000_0000))
        XCTAssertEqual(Array(bytes[47...]), extra)
    }

    func testCentralEntryWithOnlyALargeOffset() {
        let record = WrittenRecord(name: [0x6E], placement: placement(header: 0xFFFF_FFFF, size: 9), crc32: 0)
        let bytes = TorchZipHeaders.centralEntry(record)
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 20), 9)
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 30), 12)
        XCTAssertEqual(Array(bytes[47...]), [1, 0, 8, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
    }

    func testEndRecordsClampTheirShortFields() {
        let bytes = TorchZipHeaders.endRecords(entryCount: 70_000, directoryOffset: 0x1_0000_0000, directorySize: 5_000_000)
        XCTAssertEqual(bytes.count, 98)
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 0), 0x0606_4B50)
        XCTAssertEqual(bytes.readLE(UInt64.self, at: 4), 44)
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 12), 0x031E)
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 14), 0x002D)
        XCTAssertEqual(bytes.readLE(UInt64.self, at: 24), 70_000)
        XCTAssertEqual(bytes.readLE(UInt64.self, at: 32), 70_000)
        XCTAssertEqual(bytes.readLE(UInt64.self, at: 40), 5_000_000)
        XCTAssertEqual(bytes.readLE(UInt64.self, at: 48), 0x1_0000_0000)
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 56), 0x0706_4B50)
        XCTAssertEqual(bytes.readLE(UInt64.self, at: 64), 0x1_0000_0000 + 5_000_000)
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 72), 1)
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 76), 0x0605_4B50)
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 84), 0xFFFF)
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 86), 0xFFFF)
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 88), 5_000_000)
        XCTAssertEqual(bytes.readLE(UInt32.self, at: 92), 0xFFFF_FFFF)
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 96), 0)
    }
}
