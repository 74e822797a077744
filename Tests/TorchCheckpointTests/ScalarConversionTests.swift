import TorchCheckpoint
import XCTest

/// Folded values are rounded once from float64; rounding through float32 first would sometimes differ.
final class ScalarConversionTests: XCTestCase {
    func testBFloat16RoundsToNearestEven() {
        XCTAssertEqual(ScalarConversion.bfloat16Bits(1.0), 0x3F80)
        XCTAssertEqual(ScalarConversion.bfloat16Bits(-2.0), 0xC000)
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even neighbour, 1.
        XCTAssertEqual(ScalarConversion.bfloat16Bits(1 + 0x1p-8), 0x3F80)
        // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
        XCTAssertEqual(ScalarConversion.bfloat16Bits(1 + 3 * 0x1p-8), 0x3F82)
        XCTAssertEqual(ScalarConversion.bfloat16Bits(.infinity), 0x7F80)
        XCTAssertEqual(ScalarConversion.bfloat16Bits(1e39), 0x7F80)
        XCTAssertEqual(ScalarConversion.bfloat16Bits(.nan) & 0x7FC0, 0x7FC0)
    }

    /// Just above a tie: float32 would round the value down onto the tie, then bfloat16 to even (down);
    /// rounded once, it goes up.
    func testBFloat16AvoidsDoubleRounding() {
        let justAboveTie = 1 + 0x1p-8 + 0x1p-40
        XCTAssertEqual(Float(justAboveTie), Float(1 + 0x1p-8), "float32 loses the part above the tie")
        XCTAssertEqual(ScalarConversion.bfloat16Bits(justAboveTie), 0x3F81)
    }

    func testFloat16AvoidsDoubleRounding() {
        let justAboveTie = 1 + 0x1p-11 + 0x1p-40
        let bytes = ScalarConversion.littleEndianBytes([justAboveTie], dtype: .float16)
        XCTAssertEqual(UInt16(bytes[0]) | UInt16(bytes[1]) << 8, 0x3C01)
    }

    func testRoundTripsThroughEveryFloatingDtype() {
        let values: [Double] = [0, -0.5, 1.5, 3.25, -1024, 0.125]
        for dtype in [TorchDType.float64, .float32, .float16, .bfloat16] {
            let bytes = ScalarConversion.littleEndianBytes(values, dtype: dtype)
            XCTAssertEqual(bytes.count, values.count * dtype.elementSize)
            XCTAssertEqual(ScalarConversion.doubles(fromLittleEndian: bytes, dtype: dtype), values, "\(dtype)")
        }
    }
}
