import PickleMachine
import XCTest

/// Dict keys past the size at which a dict gets its key index, as CPython's `pickle.loads` reads them.
final class UnpicklerDictKeyTests: XCTestCase {
    /// Ten string keys (indexed), then `'k3'` again as a new string, `1`, `True` and `1.0` (one key), `('a', 1)`
    /// twice, and `'e\u0301'` beside `'\u00e9'` (different code points, so different keys). The expected text is
    /// `repr(pickle.loads(...))` from CPython 3 of these bytes, its two non-ASCII keys escaped as the description
    /// writes them (byte for byte, so canonically equal strings do not compare equal here).
    func testRepeatedKeysInAnIndexedDictKeepTheirPlaceAndTakeTheNewValue() throws {
        let bytes = hex(
            """
            80027d2858020000006b304b0058020000006b314b0158020000006b324b0258020000006b334b0358020000006b344b0458020000006b
            354b0558020000006b364b0658020000006b374b0758020000006b384b0858020000006b394b097558020000006b334b63734b015803
            0000006f6e6573884b0273473ff00000000000004b03735801000000614b01864b04735801000000614b01864b0573580300000065cc
            814b06735802000000c3a94b07732e
            """)
        let result = try unpickle(bytes)
        guard case .node(let dict) = result.root else { return XCTFail("not a node: \(result.root)") }
        XCTAssertEqual(result.graph.entryCount(of: dict), 14)
        XCTAssertEqual(
            GraphDescription.describe(result.root, in: result.graph),
            "{'k0': 0, 'k1': 1, 'k2': 2, 'k3': 99, 'k4': 4, 'k5': 5, 'k6': 6, 'k7': 7, 'k8': 8, 'k9': 9, 1: 3, "
                + "('a', 1): 5, 'e\\u{301}': 6, '\\u{e9}': 7}")
    }
}
