import CheckpointContainers
import Foundation
import PickleMachine
import TestSupport
import TorchCheckpoint
import XCTest

/// Crafted numpy and pathlib pickles: what real numpy never writes (big-endian scalars, `=` byte order), what is
/// refused by name (object, string, structured dtypes, subclasses, non-string path parts), and pathlib's string
/// form for each flavour (expected strings printed by CPython 3.11's pathlib).
final class DataObjectDecodingTests: XCTestCase {
    private typealias P = PickleBytes
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try Fixtures.scratchDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    // MARK: pickle pieces (protocol 2)

    /// `numpy.dtype(code, False, True)` with numpy's state for `order`.
    private func dtype(_ code: String, order: String = "<", flags: Int32 = 0, fields: [UInt8]? = nil) -> [UInt8] {
        P.global("numpy", "dtype") + P.tuple(P.text(code), [0x89], [0x88]) + P.reduce
            + P.tuple(P.int(3), P.text(order), P.none, fields ?? P.none, P.none, P.int(-1), P.int(-1), P.int(flags)) + P.build
    }

    private func scalar(_ dtype: [UInt8], _ data: [UInt8]) -> [UInt8] {
        P.global("numpy.core.multiarray", "scalar") + P.tuple(dtype, P.bytes(data)) + P.reduce
    }

    private func array(_ dtype: [UInt8], shape: [Int32], fortran: Bool = false, _ data: [UInt8], subtype: String = "ndarray")
        -> [UInt8]
    {
        P.global("numpy.core.multiarray", "_reconstruct")
            + P.tuple(P.global("numpy", subtype), P.tuple(P.int(0)), P.bytes([0x62])) + P.reduce
            + P.tuple(P.int(1), P.tuple(shape.flatMap(P.int)), dtype, [fortran ? 0x88 : 0x89], P.bytes(data)) + P.build
    }

    /// A checkpoint whose root is `{"x": value}`, protocol 3, in a torch-style zip.
    private func open(_ value: [UInt8]) throws -> Checkpoint {
        let pickle: [UInt8] = [0x80, 0x03, 0x7D] + P.text("x") + value + [0x73, 0x2E]
        let path = scratch.appendingPathComponent("\(UUID().uuidString).pth").path
        let zip = try ZipArchiveWriter(path: path)
        try zip.addStored(name: "x/data.pkl", bytes: pickle)
        try zip.addStored(name: "x/version", bytes: Array("3\n".utf8))
        try zip.finish()
        return try CheckpointReader.open(path)
    }

    private func decoded(_ value: [UInt8]) throws -> DecodedData {
        let checkpoint = try open(value)
        let id = try XCTUnwrap(checkpoint.graph.lookup(checkpoint.root, "x")?.nodeID)
        return try XCTUnwrap(checkpoint.decoded[id])
    }

    private func assertRefused(_ value: [UInt8], _ words: String..., file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try open(value), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertEqual(message.split(separator: "\n").count, 1, message, file: file, line: line)
            for word in words { XCTAssertTrue(message.contains(word), "\(message) lacks \(word)", file: file, line: line) }
        }
    }

    // MARK: decoding

    func testBigEndianScalarsAndNativeOrderAreDecoded() throws {
        guard
            case .numpyScalar(let big) = try decoded(
                scalar(dtype("f8", order: ">"), [0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18]))
        else {
            return XCTFail("a scalar")
        }
        XCTAssertEqual(big.value, .float(3.141592653589793))
        guard case .numpyScalar(let native) = try decoded(scalar(dtype("i2", order: "="), [0xFE, 0xFF])) else {
            return XCTFail("a scalar")
        }
        XCTAssertEqual(native.value, .int(-2), "'=' is read as this tool's (little-endian) order")
        guard case .numpyScalar(let complex) = try decoded(scalar(dtype("c8", order: ">"), [0x3F, 0x80, 0, 0, 0xC0, 0, 0, 0]))
        else {
            return XCTFail("a scalar")
        }
        XCTAssertEqual([complex.real, complex.imaginary], [1, -2], "each half swapped on its own")
        XCTAssertEqual(complex.text, "(1-2j)")
    }

    func testArraysKeepShapeOrderAndBoolsAreZeroOrOne() throws {
        guard
            case .numpyArray(let fortran) = try decoded(
                array(
                    dtype("i2", order: ">"), shape: [2, 3], fortran: true,
                    [0, 1, 0, 4, 0, 2, 0, 5, 0, 3, 0, 6]))
        else { return XCTFail("an array") }
        XCTAssertEqual(fortran.strides, [1, 2])
        XCTAssertEqual(fortran.elements(limit: 6).map(\.text), ["1", "2", "3", "4", "5", "6"])
        XCTAssertEqual(fortran.rowMajorBytes, [1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0])
        guard case .numpyArray(let flags) = try decoded(array(dtype("b1", order: "|"), shape: [3], [0, 7, 1])) else {
            return XCTFail("an array")
        }
        XCTAssertEqual(flags.bytes, [0, 1, 1])
    }

    func testWhatIsNotPlainNumericDataIsRefusedByName() {
        assertRefused(scalar(dtype("O8", order: "|", flags: 63), [0]), "x: refused numpy dtype O8", "nested pickles")
        assertRefused(array(dtype("U3"), shape: [1], [0]), "x: refused numpy dtype U3", "string dtypes")
        assertRefused(array(dtype("V8", order: "|", fields: P.tuple(P.text("a"))), shape: [1], [0]), "x: refused numpy dtype V8")
        assertRefused(array(dtype("f16"), shape: [1], [0]), "x: refused numpy dtype f16")
        assertRefused(array(dtype("M8"), shape: [1], [0]), "x: refused numpy dtype M8", "datetime")
        assertRefused(array(dtype("f4", flags: 16), shape: [1], [0, 0, 0, 0]), "a dtype with flags or metadata")
        assertRefused(array(dtype("f4"), shape: [1], [0, 0, 0, 0], subtype: "matrix"), "numpy subclass numpy.matrix")
    }

    func testMalformedNumpyCallsAreRefusedWithWhatIsWrong() {
        assertRefused(scalar(dtype("f8"), [0, 0, 0]), "numpy float64 scalar needs 8 bytes, found bytes of length 3")
        assertRefused(array(dtype("f4"), shape: [2, 2], [0, 0, 0, 0]), "shape [2, 2] needs 16 bytes, found 4")
        assertRefused(array(dtype("f4"), shape: [-1], []), "shape is not a tuple of non-negative ints")
        assertRefused(array(dtype("f4"), shape: [Int32.max, Int32.max, Int32.max], []), "byte count overflows")
        assertRefused(dtype("f4", order: "|"), "has byte order '|', which only 1-byte types have")
        assertRefused(
            P.global("numpy", "dtype") + P.tuple(P.text("f4")) + P.reduce + P.tuple(P.text("a"), P.text("b")) + P.build,
            "BUILD state is not numpy's")
        assertRefused(
            P.global("numpy._core.numeric", "_frombuffer")
                + P.tuple(P.bytes([0, 0]), dtype("i2"), P.tuple(P.int(1)), P.text("K")) + P.reduce,
            "_frombuffer's arguments")
        assertRefused(
            P.global("numpy.core.multiarray", "scalar") + P.tuple(P.global("numpy", "float64"), P.bytes([0])) + P.reduce,
            "numpy scalar's arguments are (dtype, bytes)")
    }

    // MARK: paths

    func testPathsAreReadAsPathlibPrintsThem() throws {
        // (class, parts) -> str(cls(*parts)) as CPython 3.11 prints it.
        let cases: [(String, [String], String)] = [
            ("pathlib.PosixPath", ["/", "data", "runs", "exp1"], "/data/runs/exp1"),
            ("pathlib.PurePosixPath", ["a", "b"], "a/b"),
            ("pathlib.PurePosixPath", ["//", "a", "b"], "//a/b"),
            ("pathlib.PurePosixPath", [], "."),
            ("pathlib.PurePosixPath", ["a", "/b", "c//d", ".", "e/"], "/b/c/d/e"),
            ("pathlib.PureWindowsPath", ["C:\\", "Users", "x", "ckpt"], "C:\\Users\\x\\ckpt"),
            ("pathlib.PureWindowsPath", ["\\\\server\\share\\", "x"], "\\\\server\\share\\x"),
            ("pathlib.PureWindowsPath", ["C:", "x", "D:y", "\\z"], "D:\\z"),
            ("pathlib.PureWindowsPath", ["C:\\a", "b/c"], "C:\\a\\b\\c"),
            ("pathlib._local.PosixPath", ["/", "tmp"], "/tmp"),
        ]
        for (cls, parts, expected) in cases {
            let dot = cls.lastIndex(of: ".")!
            let value =
                P.global(String(cls[..<dot]), String(cls[cls.index(after: dot)...]))
                + [0x28] + parts.flatMap(P.text) + [0x74] + P.reduce
            XCTAssertEqual(try decoded(value), .path(PathValue(className: cls, text: expected)), "\(cls)\(parts)")
        }
        assertRefused(
            P.global("pathlib", "PosixPath") + P.tuple(P.int(1)) + P.reduce, "x: refused pathlib.PosixPath with arguments (int 1)"
        )
        assertRefused(
            P.global("pathlib", "Path") + P.tuple(P.text("a")) + P.reduce + P.tuple(P.none, P.none) + P.build,
            "a path is read from strings only")
    }

    func testOtherPathlibNamesAreNotData() {
        assertRefused(P.global("pathlib", "Path.home") + P.tuple() + P.reduce, "refused to call pathlib.Path.home")
        assertRefused(
            P.global("pathlib._abc", "PathBase") + P.tuple(P.text("a")) + P.reduce, "refused to call pathlib._abc.PathBase")
    }
}
