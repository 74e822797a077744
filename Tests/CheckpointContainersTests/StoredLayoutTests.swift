@testable import CheckpointContainers
import XCTest

/// The layout prediction on its own, including sizes and offsets beyond 4 GiB that the normal
/// test run cannot afford to write (`LargeArchiveTests` writes them when enabled).
final class StoredLayoutTests: XCTestCase {
    func testFirstRecordMatchesTorchsExample() {
        var layout = StoredLayout(alignment: 64)
        // torch's small/data.pkl: 30 + 14 + 4 = 48, padded by 16 to 64.
        XCTAssertEqual(layout.place(nameLength: 14, size: 10), .init(headerOffset: 0, padding: 16, dataOffset: 64))
        XCTAssertEqual(layout.nextHeaderOffset, 74)
    }

    func testNoDataDescriptorBetweenRecords() {
        var layout = StoredLayout(alignment: 64)
        _ = layout.place(nameLength: 3, size: 5)  // data at 64, ends at 69
        XCTAssertEqual(layout.place(nameLength: 3, size: 0), .init(headerOffset: 69, padding: 22, dataOffset: 128))
        XCTAssertEqual(layout.place(nameLength: 3, size: 1), .init(headerOffset: 128, padding: 27, dataOffset: 192))
    }

    func testZip64LocalFieldOnlyForSizesFrom4GiB() {
        XCTAssertEqual(StoredLayout.zip64LocalExtraLength(size: 0xFFFF_FFFE), 0)
        XCTAssertEqual(StoredLayout.zip64LocalExtraLength(size: 0xFFFF_FFFF), 4)
        XCTAssertEqual(StoredLayout.zip64LocalExtraLength(size: 0x1_0000_0000), 20)
        var layout = StoredLayout(alignment: 64)
        // 30 + 3 + 20 + 4 = 57 → 7 bytes of padding.
        XCTAssertEqual(layout.place(nameLength: 3, size: 1 << 33), .init(headerOffset: 0, padding: 7, dataOffset: 64))
        // Offsets beyond 4 GiB add nothing to the local header.
        XCTAssertEqual(layout.place(nameLength: 3, size: 1),
                       .init(headerOffset: 64 + (1 << 33), padding: 27, dataOffset: 128 + (1 << 33)))
    }

    func testEveryPlacementIsAlignedAndContiguous() {
        for alignment: UInt64 in [1, 2, 64, 4096, 32768] {
            var layout = StoredLayout(alignment: alignment)
            var expectedHeader: UInt64 = 0
            for (index, size) in [0, 1, 63, 64, 65, 4095, 0xFFFF_FFFF, 0x1_0000_0005, 7].enumerated() {
                let placement = layout.place(nameLength: index * 13 % 50, size: UInt64(size))!
                XCTAssertEqual(placement.headerOffset, expectedHeader)
                XCTAssertEqual(placement.dataOffset % alignment, 0)
                XCTAssertLessThan(UInt64(placement.padding), alignment)
                expectedHeader = placement.dataOffset + UInt64(size)
            }
        }
    }

    func testRefusesOffsetsBeyondInt64() {
        var layout = StoredLayout(alignment: 64)
        XCTAssertNotNil(layout.place(nameLength: 3, size: UInt64(Int64.max) - 200))
        let before = layout.nextHeaderOffset
        XCTAssertNil(layout.place(nameLength: 3, size: 1000))
        XCTAssertEqual(layout.nextHeaderOffset, before)
    }
}
