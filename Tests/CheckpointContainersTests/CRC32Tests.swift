import CheckpointContainers
import XCTest

final class CRC32Tests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(CRC32.checksum([]), 0)
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
    }

    func testContinuingFromAnInitialValueEqualsOneRun() {
        let bytes = (0 ..< 10_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let first = CRC32.checksum(Array(bytes[..<3333]))
        XCTAssertEqual(CRC32.checksum(bytes[3333...], initial: first), CRC32.checksum(bytes))
        XCTAssertEqual(CRC32.checksum(bytes, range: 3333 ..< 10_000, initial: first), CRC32.checksum(bytes))
    }

    func testCombine() {
        let a = Array("hello, ".utf8), b = Array("world".utf8)
        XCTAssertEqual(CRC32.combine(CRC32.checksum(a), CRC32.checksum(b), secondLength: 5), CRC32.checksum(a + b))
    }

    func testParallelPathMatchesSerialRuns() {
        // Large enough to be split across cores, with an odd length and a non-zero slice start.
        let count = 3 * CRC32.parallelThreshold + 12_345
        let bytes = (0 ..< count).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        var serial: UInt32 = 0
        for start in stride(from: 0, to: count, by: 100_000) {
            serial = CRC32.checksum(Array(bytes[start ..< min(start + 100_000, count)]), initial: serial)
        }
        XCTAssertEqual(CRC32.checksum(bytes), serial)
        let tail = CRC32.checksum(bytes[17...], initial: CRC32.checksum(Array(bytes[..<17])))
        XCTAssertEqual(tail, serial)
    }

    func testAccumulator() {
        var accumulator = CRC32Accumulator()
        let bytes = Array("123456789".utf8)
        accumulator.add(bytes, range: 0 ..< 4)
        accumulator.add(bytes, range: 4 ..< 9)
        XCTAssertEqual(accumulator.value, 0xCBF4_3926)
        XCTAssertEqual(accumulator.count, 9)
    }
}
