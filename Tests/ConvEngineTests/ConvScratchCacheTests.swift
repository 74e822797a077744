import XCTest

@testable import ConvEngine
import TestSupport

/// Scratch memory is reused between convolutions, bounded, and can be released.
final class ConvScratchCacheTests: XCTestCase {
    func testTakeReusesAGivenBlockThatIsLargeEnough() {
        let cache = ConvScratchCache()
        let first = cache.take(bytes: 1000)
        cache.give(first)
        XCTAssertEqual(cache.cachedBytes, 1000)
        let second = cache.take(bytes: 600)
        XCTAssertTrue(second === first)
        XCTAssertEqual(cache.cachedBytes, 0, "a taken block is no longer cached")
        let third = cache.take(bytes: 2000)
        XCTAssertFalse(third === first)
        XCTAssertGreaterThanOrEqual(third.bytes, 2000)
    }

    func testKeepsOnlyTheLargestBlockWithinTheLimit() {
        let cache = ConvScratchCache()
        let (small, large) = (cache.take(bytes: 10), cache.take(bytes: 20))
        cache.give(large)
        cache.give(small)
        XCTAssertEqual(cache.cachedBytes, 20)
        cache.give(ConvScratch(bytes: ConvScratchCache.maxCachedBytes + 1))
        XCTAssertEqual(cache.cachedBytes, 20, "blocks above the limit are freed, not kept")
        cache.release()
        XCTAssertEqual(cache.cachedBytes, 0)
    }

    func testBlocksAreCacheLineAligned() {
        XCTAssertEqual(Int(bitPattern: ConvScratch(bytes: 100).address) % 64, 0)
    }

    func testConvolutionsLeaveTheirScratchForTheNextAndReleaseFreesIt() throws {
        var generator = SplitMix64(seed: 3)
        let input = Tensor4<Double>.random(Shape4(1, 4, 8, 8), using: &generator)
        let weight = Tensor4<Double>.random(Shape4(6, 4, 3, 3), using: &generator)
        Conv2D.releaseScratchMemory()
        var options = ConvOptions(threads: 1)
        options.tuning.panelLayout = .wide
        let first = try Conv2D.forward(input, weight: weight, options: options)
        // 6 x 6 output pixels = 5 panels of 36 taps x 8 doubles, plus one worker's 6 x 36 weight block.
        XCTAssertEqual(ConvScratchCache.shared.cachedBytes, 5 * 36 * 8 * 8 + 6 * 36 * 8)
        XCTAssertEqual(try Conv2D.forward(input, weight: weight, options: options), first)
        Conv2D.releaseScratchMemory()
        // Narrow panels (the layout chosen for 36 pixels): 6 panels of 36 taps x 6 doubles, and a weight
        // block of one 8-row tile, 8 x 36.
        options.tuning.panelLayout = nil
        XCTAssertEqual(try Conv2D.forward(input, weight: weight, options: options), first)
        XCTAssertEqual(ConvScratchCache.shared.cachedBytes, 6 * 36 * 6 * 8 + 8 * 36 * 8)
        Conv2D.releaseScratchMemory()
        XCTAssertEqual(ConvScratchCache.shared.cachedBytes, 0)
    }
}
