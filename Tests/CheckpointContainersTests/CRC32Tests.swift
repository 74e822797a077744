import XCTest

@testable import CheckpointContainers
import TestSupport

/// The CRC-32 kernel, every implementation this CPU has, against zlib (the reference) and known vectors.
final class CRC32Tests: XCTestCase {
    /// Seeded random bytes, so failures reproduce; beyond 1 MiB a random block repeats (with an odd
    /// period, so the folding lanes never see aligned repeats), which keeps debug builds fast.
    private static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        let block = (0..<min(count, (1 << 20) + 7)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + block.count)
        while bytes.count < count { bytes.append(contentsOf: block) }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    private let kernels = CRC32Engine.available.filter { $0 != .zlib }

    func testKnownVectors() {
        XCTAssertEqual(CRC32.checksum([]), 0)
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
        let zeros = [UInt8](repeating: 0, count: 4096)
        let ones = [UInt8](repeating: 0xFF, count: 4096)
        for engine in CRC32Engine.available {
            XCTAssertEqual(engine.checksum(zeros[...], initial: 0), 0xC71C_0011, engine.name)
            XCTAssertEqual(engine.checksum(ones[...], initial: 0), 0xF154_670A, engine.name)
        }
    }

    func testThisMachineUsesTheFoldingKernel() throws {
        #if arch(x86_64)
            XCTAssertNotEqual(CRC32Kernel.best, .table, "every x86-64 CPU of the last decade has PCLMULQDQ")
            XCTAssertEqual(CRC32.implementation, CRC32Kernel.best.name)
            XCTAssertTrue(["pclmulqdq", "vpclmulqdq"].contains(CRC32.implementation))
        #else
            throw XCTSkip("the folding kernel is x86-64 only")
        #endif
    }

    func testEveryImplementationMatchesZlibOnAllLengthsUpTo2000() {
        let bytes = Self.randomBytes(2000 + 64, seed: 1)
        for engine in kernels {
            var mismatches: [String] = []
            for length in 0...2000 {
                let offset = (length * 7) % 64  // every alignment of the start, spread over the lengths
                let initial = UInt32(truncatingIfNeeded: length &* 2_654_435_761)
                let slice = bytes[offset..<offset + length]
                if engine.checksum(slice, initial: initial) != Zlib.crc32(initial, slice) {
                    mismatches.append("length \(length) offset \(offset)")
                }
            }
            XCTAssertEqual(mismatches, [], engine.name)
        }
    }

    func testEveryImplementationMatchesZlibAtRandomOffsetsAndLengths() {
        let bytes = Self.randomBytes(1 << 20, seed: 2)
        var generator = SplitMix64(seed: 3)
        for _ in 0..<300 {
            let start = Int(generator.next() % UInt64(bytes.count))
            let length = Int(generator.next() % UInt64(bytes.count - start + 1))
            let initial = UInt32(truncatingIfNeeded: generator.next())
            let expected = Zlib.crc32(initial, bytes[start..<start + length])
            for engine in kernels {
                XCTAssertEqual(
                    engine.checksum(bytes[start..<start + length], initial: initial), expected,
                    "\(engine.name) start \(start) length \(length)")
            }
        }
    }

    func testLargeBufferInOneRunAndInPieces() {
        let bytes = Self.randomBytes((24 << 20) + 13, seed: 4)
        let expected = Zlib.crc32(0, bytes[...])
        for engine in kernels {
            XCTAssertEqual(engine.checksum(bytes[...], initial: 0), expected, engine.name)
            var crc: UInt32 = 0
            for start in stride(from: 0, to: bytes.count, by: 3_333_333) {
                crc = engine.checksum(bytes[start..<min(start + 3_333_333, bytes.count)], initial: crc)
            }
            XCTAssertEqual(crc, expected, "\(engine.name) in pieces")
        }
        XCTAssertEqual(CRC32.checksum(bytes), expected, "parallel")
    }

    func testContinuingFromAnInitialValueEqualsOneRun() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let first = CRC32.checksum(Array(bytes[..<3333]))
        XCTAssertEqual(CRC32.checksum(bytes[3333...], initial: first), CRC32.checksum(bytes))
        XCTAssertEqual(CRC32.checksum(bytes, range: 3333..<10_000, initial: first), CRC32.checksum(bytes))
    }

    func testCombine() {
        let a = Array("hello, ".utf8)
        let b = Array("world".utf8)
        XCTAssertEqual(CRC32.combine(CRC32.checksum(a), CRC32.checksum(b), secondLength: 5), CRC32.checksum(a + b))
    }

    func testParallelPathMatchesSerialRuns() {
        // Large enough to be split across cores, with an odd length and a non-zero slice start.
        let count = 3 * CRC32.parallelThreshold + 12_345
        let bytes = Self.randomBytes(count, seed: 5)
        var serial: UInt32 = 0
        for start in stride(from: 0, to: count, by: 100_000) {
            serial = CRC32.checksum(Array(bytes[start..<min(start + 100_000, count)]), initial: serial)
        }
        XCTAssertEqual(CRC32.checksum(bytes), serial)
        let tail = CRC32.checksum(bytes[17...], initial: CRC32.checksum(Array(bytes[..<17])))
        XCTAssertEqual(tail, serial)
    }

    func testAccumulator() {
        var accumulator = CRC32Accumulator()
        let bytes = Array("123456789".utf8)
        accumulator.add(bytes, range: 0..<4)
        accumulator.addSerially(bytes[4..<9])
        XCTAssertEqual(accumulator.value, 0xCBF4_3926)
        XCTAssertEqual(accumulator.count, 9)
    }
}

