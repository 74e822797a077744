import PickleMachine
import XCTest

/// Integers beyond Int64 and the conversions the pickler relies on.
final class PickleBigIntTests: XCTestCase {
    func testInt64RoundTripsThroughTwosComplement() {
        for value: Int64 in [0, 1, -1, 127, 128, -128, -129, 255, 256, .max, .min] {
            let big = PickleBigInt(value)
            XCTAssertEqual(big.int64, value)
            XCTAssertEqual(big.pickleValue, .int(value))
            XCTAssertEqual(big.description, String(value))
        }
        XCTAssertEqual(PickleBigInt(-129).littleEndianBytes, [0x7F, 0xFF])
        XCTAssertEqual(PickleBigInt(128).littleEndianBytes, [0x80, 0x00])
    }

    func testValuesBeyondInt64StayBig() {
        let twoTo64 = PickleBigInt(littleEndianBytes: [0, 0, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertNil(twoTo64.int64)
        XCTAssertEqual(twoTo64.pickleValue, .bigInt(twoTo64))
        XCTAssertEqual(twoTo64.description, "18446744073709551616")
        let negative = PickleBigInt(littleEndianBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0xFF])
        XCTAssertEqual(negative.description, "-18446744073709551616")
    }
}
