import XCTest

@testable import CheckpointContainers

/// The layout prediction on its own, including sizes and offsets beyond 4 GiB that the normal test
/// run cannot afford to write (`LargeArchiveTests` writes them when enabled). Expected values follow
/// torch's `getPadding` and miniz's zip64 rule (pth-format.md §1.3–1.4).
final class TorchZipLayoutTests: XCTestCase {
    private let fourGiBMinusOne: UInt64 = 0xFFFF_FFFF

    func testFirstRecordMatchesTorchsExample() {
        var layout = TorchZipLayout(alignment: 64)
        // torch's small/data.pkl: 30 + 14 + 4 = 48, padded by 16 to 64; then 10 bytes and a 16-byte descriptor.
        let placement = layout.place(nameLength: 14, size: 10)
        XCTAssertEqual(
            placement,
            RecordPlacement(
                headerOffset: 0, size: 10, sizeNeedsZip64: false, offsetNeedsZip64: false, padding: 16, dataOffset: 64))
        XCTAssertEqual(placement?.descriptorLength, 16)
        XCTAssertEqual(layout.nextHeaderOffset, 90)
    }

    func testDescriptorsFollowDataAndEmptyRecordsHaveNone() {
        var layout = TorchZipLayout(alignment: 64)
        _ = layout.place(nameLength: 3, size: 5)  // data at 64, descriptor 69 ..< 85
        let empty = layout.place(nameLength: 3, size: 0)!
        XCTAssertEqual([empty.headerOffset, UInt64(empty.padding), empty.dataOffset, empty.descriptorLength], [85, 6, 128, 0])
        let next = layout.place(nameLength: 3, size: 1)!
        XCTAssertEqual([next.headerOffset, UInt64(next.padding), next.dataOffset], [128, 27, 192])
        XCTAssertEqual(layout.nextHeaderOffset, 192 + 1 + 16)
    }

    func testSizesFrom0xFFFFFFFFUseZip64() {
        var below = TorchZipLayout(alignment: 64)
        let small = below.place(nameLength: 3, size: fourGiBMinusOne - 1)!
        XCTAssertFalse(small.usesZip64)
        XCTAssertEqual(small.dataOffset, 64)  // 30 + 3 + 4 = 37 → 27 bytes of padding
        XCTAssertEqual(below.nextHeaderOffset, 64 + fourGiBMinusOne - 1 + 16)
        var at = TorchZipLayout(alignment: 64)
        let large = at.place(nameLength: 3, size: fourGiBMinusOne)!
        XCTAssertTrue(large.sizeNeedsZip64)
        XCTAssertFalse(large.offsetNeedsZip64)
        XCTAssertEqual(large.padding, 7)  // 30 + 3 + 20 (zip64: id, length, two sizes) + 4 = 57
        XCTAssertEqual(at.nextHeaderOffset, 64 + fourGiBMinusOne + 24)
    }

    func testHeaderOffsetsFrom0xFFFFFFFFUseZip64() {
        // A first record ending exactly at 0xFFFFFFFE, then one at 0xFFFFFFFF.
        var layout = TorchZipLayout(alignment: 64)
        _ = layout.place(nameLength: 14, size: fourGiBMinusOne - 1 - 64 - 16)
        XCTAssertEqual(layout.nextHeaderOffset, fourGiBMinusOne - 1)
        let below = layout.place(nameLength: 1, size: 0)!  // empty: no descriptor, ends at its data offset
        XCTAssertFalse(below.usesZip64)
        var reaching = TorchZipLayout(alignment: 64)
        _ = reaching.place(nameLength: 14, size: fourGiBMinusOne - 64 - 16)
        XCTAssertEqual(reaching.nextHeaderOffset, fourGiBMinusOne)
        let at = reaching.place(nameLength: 3, size: 5)!
        XCTAssertTrue(at.offsetNeedsZip64)
        XCTAssertFalse(at.sizeNeedsZip64)
        // 0xFFFFFFFF + 30 + 3 + 12 (zip64: id, length, offset) + 4 = 0x100000030 → 16 bytes of padding.
        XCTAssertEqual(at.padding, 16)
        XCTAssertEqual(at.dataOffset, 0x1_0000_0040)
        XCTAssertEqual(at.descriptorLength, 24)
        let both = reaching.place(nameLength: 3, size: 1 << 33)!
        XCTAssertTrue(both.sizeNeedsZip64 && both.offsetNeedsZip64)
        XCTAssertEqual(RecordPlacement.zip64ExtraLength(size: true, offset: true), 28)
    }

    func testEveryPlacementIsAlignedAndContiguous() {
        for alignment: UInt64 in [1, 2, 64, 4096, 32768] {
            var layout = TorchZipLayout(alignment: alignment)
            var expectedHeader: UInt64 = 0
            for (index, size) in [0, 1, 63, 64, 65, 4095, 0xFFFF_FFFF, 0x1_0000_0005, 7, 0].enumerated() {
                let placement = layout.place(nameLength: index * 13 % 50, size: UInt64(size))!
                XCTAssertEqual(placement.headerOffset, expectedHeader)
                XCTAssertEqual(placement.dataOffset % alignment, 0)
                XCTAssertLessThan(UInt64(placement.padding), alignment)
                expectedHeader = placement.end
            }
        }
    }

    func testRefusesOffsetsBeyondInt64AndNamesTheLargestSize() {
        var layout = TorchZipLayout(alignment: 64)
        let largest = layout.largestSize(nameLength: 3)
        XCTAssertEqual(largest, UInt64(Int64.max) - 64 - 24)
        var copy = layout
        XCTAssertNil(copy.place(nameLength: 3, size: largest + 1))
        XCTAssertNotNil(layout.place(nameLength: 3, size: largest - 200))
        let before = layout.nextHeaderOffset
        XCTAssertNil(layout.place(nameLength: 3, size: 1000))
        XCTAssertEqual(layout.nextHeaderOffset, before)
        // Header at 2^63 - 201, + 30 + 3 + 12 (zip64 offset) + 4 → data at 2^63 - 128; 127 bytes left.
        XCTAssertEqual(layout.largestSize(nameLength: 3), 127 - 24)
        XCTAssertNotNil(layout.place(nameLength: 3, size: 127 - 24))
        XCTAssertEqual(layout.largestSize(nameLength: 3), 0)
    }
}
