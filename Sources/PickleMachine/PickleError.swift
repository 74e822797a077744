/// Everything that can go wrong while reading or writing a pickle.
///
/// Every unpickler case names the byte offset of the opcode at fault (an absolute index into the
/// input), and the opcode when one is involved, so a report can point into the file. Pickler cases
/// name the graph node at fault.
public enum PickleError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Unpickler: malformed input

    /// The input ended inside the opcode at `offset`, or (with no opcode) before STOP.
    case truncated(opcode: PickleOpcode?, offset: Int)
    /// A byte that is no opcode of protocols 0 to 5.
    case unknownOpcode(UInt8, offset: Int)
    /// PROTO announced a protocol above 5.
    case unsupportedProtocol(Int, offset: Int)
    /// EXT1/2/4 (no extension registry is provided) or NEXT_BUFFER/READONLY_BUFFER (no out-of-band buffers).
    case unsupportedOpcode(PickleOpcode, offset: Int)
    /// The opcode needs more items above the topmost mark than there are.
    case stackUnderflow(opcode: PickleOpcode, offset: Int)
    /// The opcode needs a mark and there is none.
    case missingMark(opcode: PickleOpcode, offset: Int)
    /// GET of a memo index that was never PUT.
    case unknownMemoIndex(Int, offset: Int)
    /// A length field claims more bytes than the input has left; checked before anything is allocated.
    case lengthBeyondInput(opcode: PickleOpcode, length: UInt64, offset: Int, remaining: Int)
    /// A bound of ``UnpicklerLimits`` would be crossed; `value` is the size that was refused (for
    /// integer text, the upper-bound estimate that refused it before any conversion).
    case limitExceeded(UnpicklerLimit, value: Int, offset: Int)
    /// REDUCE, INST or OBJ of a callable that is neither a data constructor nor allowed by the policy.
    case refusedCallable(name: String, opcode: PickleOpcode, offset: Int)
    /// `collections.defaultdict` whose factory is not a builtin data type (`found` names it): the factory would be
    /// called by whoever reads a missing key.
    case refusedFactory(found: String, opcode: PickleOpcode, offset: Int)
    /// REDUCE, NEWOBJ, INST or OBJ whose callable is not a global (a hostile pickle calling a computed value).
    case invalidCallable(found: String, opcode: PickleOpcode, offset: Int)
    /// An operand of the wrong kind or shape (REDUCE arguments that are not a tuple, an odd DICT, ...).
    case invalidOperand(opcode: PickleOpcode, expected: String, found: String, offset: Int)
    /// A mutation applied to something that does not take it (APPEND to a dict, BUILD on a list, ...).
    case invalidTarget(opcode: PickleOpcode, target: String, offset: Int)
    /// A list, dict or set used as a dict key or set member (Python's "unhashable type").
    case unhashableKey(kind: String, opcode: PickleOpcode, offset: Int)
    /// A text operand (INT, LONG, FLOAT, STRING, UNICODE, GET, PUT, INST, PERSID) that CPython would not parse.
    case invalidText(opcode: PickleOpcode, offset: Int)
    /// String bytes that are not valid UTF-8 (or encode a surrogate, which Swift strings cannot hold).
    case invalidUTF8(opcode: PickleOpcode, offset: Int)

    // MARK: Pickler: graphs that cannot be written

    /// A value refers to a node index outside the graph.
    case danglingNode(index: Int)
    /// A call or object node whose `args` is not a tuple node, as REDUCE and NEWOBJ require.
    case argumentsNotTuple(node: Int)
    /// A global whose module or name is not ASCII without newlines, as protocol 2's GLOBAL requires.
    case unencodableGlobal(name: String)
    /// An integer longer than LONG1's 255 bytes (LONG4 is not accepted by torch's weights-only loader).
    case integerTooLarge(byteCount: Int)
    /// A cycle through a tuple or through a call's or object's arguments, which the memo cannot express.
    case cycleThroughImmutable(node: Int)
    /// Containers nested deeper than the pickler's depth limit.
    case nestingTooDeep(limit: Int, node: Int)

    /// One line naming the culprit; control characters in names taken from the input (a
    /// STACK_GLOBAL name may hold a newline) are escaped so the line stays one line.
    public var description: String {
        var line = ""
        for scalar in (readingDescription ?? writingDescription).unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                line += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                line.unicodeScalars.append(scalar)
            }
        }
        return line
    }

    private var readingDescription: String? {
        switch self {
        case .truncated(let opcode?, let offset):
            return "pickle truncated inside \(opcode) at byte \(offset)"
        case .truncated(nil, let offset):
            return "pickle ended at byte \(offset) without STOP"
        case .unknownOpcode(let byte, let offset):
            return "unknown opcode 0x\(String(byte, radix: 16, uppercase: true)) at byte \(offset)"
        case .unsupportedProtocol(let version, let offset):
            return "unsupported pickle protocol \(version) at byte \(offset)"
        case .unsupportedOpcode(let opcode, let offset):
            return "\(opcode) at byte \(offset) is not supported: "
                + (opcode.rawValue >= 0x96 ? "no out-of-band buffers are provided" : "no extension registry is provided")
        case .stackUnderflow(let opcode, let offset):
            return "stack underflow at \(opcode), byte \(offset)"
        case .missingMark(let opcode, let offset):
            return "\(opcode) at byte \(offset) found no MARK"
        case .unknownMemoIndex(let index, let offset):
            return "memo index \(index) read at byte \(offset) was never stored"
        case .lengthBeyondInput(let opcode, let length, let offset, let remaining):
            return "\(opcode) at byte \(offset) claims \(length) bytes but only \(remaining) remain"
        case .limitExceeded(let limit, let value, let offset):
            return "\(limit.rawValue) limit exceeded at byte \(offset): \(value)"
        case .refusedCallable(let name, let opcode, let offset):
            return "refused to call \(name) (\(opcode) at byte \(offset))"
        case .refusedFactory(let found, let opcode, let offset):
            return "refused collections.defaultdict with factory \(found) (\(opcode) at byte \(offset)): "
                + "only builtin data types (list, dict, int, ...) are read as a factory"
        case .invalidCallable(let found, let opcode, let offset):
            return "\(opcode) at byte \(offset) needs a global as callable, found \(found)"
        case .invalidOperand(let opcode, let expected, let found, let offset):
            return "\(opcode) at byte \(offset) expected \(expected), found \(found)"
        case .invalidTarget(let opcode, let target, let offset):
            return "\(opcode) at byte \(offset) cannot apply to \(target)"
        case .unhashableKey(let kind, let opcode, let offset):
            return "unhashable \(kind) used as key or set member (\(opcode) at byte \(offset))"
        case .invalidText(let opcode, let offset):
            return "\(opcode) at byte \(offset) has an operand CPython would not parse"
        case .invalidUTF8(let opcode, let offset):
            return "\(opcode) at byte \(offset) holds invalid UTF-8"
        default:
            return nil
        }
    }

    private var writingDescription: String {
        switch self {
        case .danglingNode(let index):
            return "graph refers to node \(index), which does not exist"
        case .argumentsNotTuple(let node):
            return "node \(node) has arguments that are not a tuple"
        case .unencodableGlobal(let name):
            return "global \(name) cannot be written in protocol 2 (not ASCII, or contains a newline)"
        case .integerTooLarge(let byteCount):
            return "integer of \(byteCount) bytes exceeds LONG1's 255 bytes"
        case .cycleThroughImmutable(let node):
            return "node \(node) is reached again through a tuple or through arguments; the memo cannot express it"
        case .nestingTooDeep(let limit, let node):
            return "nesting deeper than \(limit) at node \(node)"
        default:
            preconditionFailure("reading errors are described by readingDescription")
        }
    }
}
