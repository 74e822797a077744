import PickleMachine
import XCTest

/// Bytes from hex, ignoring spaces: "80 02 4e 2e".
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace })
    precondition(digits.count % 2 == 0, "odd hex string")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

/// ASCII text as bytes (protocol-0 lines, GLOBAL names).
func ascii(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// The callables the CPython vectors call: the generator's own `__main__` classes and functions,
/// and the fake torch rebuild function.
let vectorPolicy = UnpicklerPolicy { global in
    global.module == "__main__" || global.qualifiedName == "torch._utils._rebuild_tensor_v2"
}

/// A torch-like allow-list, as TorchCheckpoint will use.
let torchPolicy = UnpicklerPolicy(allowing: [
    "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter", "torch.device", "torch.Size",
])

/// Unpickles with the given policy and standard limits.
func unpickle(_ bytes: [UInt8], policy: UnpicklerPolicy = vectorPolicy, limits: UnpicklerLimits = .standard) throws
    -> UnpickleResult
{
    try Unpickler.unpickle(bytes, policy: policy, limits: limits)
}

/// The description of what `bytes` unpickles to.
func describeUnpickled(_ bytes: [UInt8], policy: UnpicklerPolicy = vectorPolicy) throws -> String {
    let result = try unpickle(bytes, policy: policy)
    return GraphDescription.describe(result.root, in: result.graph)
}

/// Asserts that unpickling `bytes` throws exactly `expected`.
func assertUnpickleFails(
    _ bytes: [UInt8], _ expected: PickleError, policy: UnpicklerPolicy = torchPolicy,
    limits: UnpicklerLimits = .standard, file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try Unpickler.unpickle(bytes, policy: policy, limits: limits), file: file, line: line) { error in
        XCTAssertEqual(error as? PickleError, expected, file: file, line: line)
    }
}

/// The CPython vector with this name.
func vector(_ name: String) -> (bytes: [UInt8], expected: String) {
    guard let found = CPythonVectors.vectors.first(where: { $0.name == name }) else {
        preconditionFailure("no vector \(name)")
    }
    return (hex(found.hex), found.expected)
}

/// Splits a pickle written by our pickler into opcodes, knowing only the operands of the opcodes it
/// may write; nil at any other byte.
func opcodesOfProtocol2Output(_ bytes: [UInt8]) -> [PickleOpcode]? {
    var result: [PickleOpcode] = []
    var index = 0
    while index < bytes.count {
        guard let op = PickleOpcode(rawValue: bytes[index]) else { return nil }
        result.append(op)
        index += 1
        switch op {
        case .proto, .binInt1, .binGet, .binPut: index += 1
        case .binInt2: index += 2
        case .binInt, .longBinGet, .longBinPut: index += 4
        case .binFloat: index += 8
        case .long1: index += 1 + Int(bytes[index])
        case .binUnicode:
            let length = (0..<4).reduce(0) { $0 | Int(bytes[index + $1]) << (8 * $1) }
            index += 4 + length
        case .global:
            for _ in 0..<2 { index = bytes[index...].firstIndex(of: 0x0A)! + 1 }
        case .stop, .mark, .none, .newTrue, .newFalse, .emptyTuple, .emptyList, .emptyDict, .tuple, .tuple1,
            .tuple2, .tuple3, .append, .appends, .setItem, .setItems, .reduce, .build, .newObj, .binPersID:
            break
        default:
            return nil
        }
    }
    return result
}
