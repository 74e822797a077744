/// The opcodes of Python's pickle protocols 0 to 5, with the byte values of CPython's `Lib/pickle.py`.
///
/// Shared by the unpickler and the pickler so the two cannot disagree on a byte; the test suite checks
/// every value, name and protocol against CPython's `pickletools.opcodes`.
public enum PickleOpcode: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// INT: Decimal integer line; `I01`/`I00` are the booleans of Python 2.
    case int = 0x49
    /// BININT: Signed 32-bit little-endian integer.
    case binInt = 0x4A
    /// BININT1: Unsigned 8-bit integer.
    case binInt1 = 0x4B
    /// BININT2: Unsigned 16-bit little-endian integer.
    case binInt2 = 0x4D
    /// LONG: Decimal integer line with an optional trailing `L`.
    case long = 0x4C
    /// LONG1: Integer of up to 255 little-endian two's complement bytes.
    case long1 = 0x8A
    /// LONG4: Integer with a signed 32-bit byte count.
    case long4 = 0x8B
    /// STRING: Quoted, backslash-escaped Python 2 string line.
    case string = 0x53
    /// BINSTRING: Python 2 string with a signed 32-bit length.
    case binString = 0x54
    /// SHORT_BINSTRING: Python 2 string with an 8-bit length.
    case shortBinString = 0x55
    /// BINBYTES: Bytes with a 32-bit length.
    case binBytes = 0x42
    /// SHORT_BINBYTES: Bytes with an 8-bit length.
    case shortBinBytes = 0x43
    /// BINBYTES8: Bytes with a 64-bit length.
    case binBytes8 = 0x8E
    /// BYTEARRAY8: Bytearray with a 64-bit length.
    case byteArray8 = 0x96
    /// NEXT_BUFFER: Next out-of-band buffer (refused: none are provided).
    case nextBuffer = 0x97
    /// READONLY_BUFFER: Makes the buffer on the stack read-only (refused with out-of-band buffers).
    case readonlyBuffer = 0x98
    /// NONE: `None`.
    case none = 0x4E
    /// NEWTRUE: `True`.
    case newTrue = 0x88
    /// NEWFALSE: `False`.
    case newFalse = 0x89
    /// UNICODE: Raw-unicode-escape string line.
    case unicode = 0x56
    /// SHORT_BINUNICODE: UTF-8 string with an 8-bit length.
    case shortBinUnicode = 0x8C
    /// BINUNICODE: UTF-8 string with a 32-bit length.
    case binUnicode = 0x58
    /// BINUNICODE8: UTF-8 string with a 64-bit length.
    case binUnicode8 = 0x8D
    /// FLOAT: Float as a `repr` line.
    case float = 0x46
    /// BINFLOAT: 8-byte big-endian IEEE double.
    case binFloat = 0x47
    /// EMPTY_LIST: Pushes `[]`.
    case emptyList = 0x5D
    /// APPEND: Appends the top item to the list below it.
    case append = 0x61
    /// APPENDS: Appends the items above the mark to the list below the mark.
    case appends = 0x65
    /// LIST: Builds a list from the items above the mark.
    case list = 0x6C
    /// EMPTY_TUPLE: Pushes `()`.
    case emptyTuple = 0x29
    /// TUPLE: Builds a tuple from the items above the mark.
    case tuple = 0x74
    /// TUPLE1: Builds a 1-tuple from the top item.
    case tuple1 = 0x85
    /// TUPLE2: Builds a 2-tuple from the top two items.
    case tuple2 = 0x86
    /// TUPLE3: Builds a 3-tuple from the top three items.
    case tuple3 = 0x87
    /// EMPTY_DICT: Pushes `{}`.
    case emptyDict = 0x7D
    /// DICT: Builds a dict from the key-value pairs above the mark.
    case dict = 0x64
    /// SETITEM: Sets one key-value pair in the dict below them.
    case setItem = 0x73
    /// SETITEMS: Sets the key-value pairs above the mark in the dict below the mark.
    case setItems = 0x75
    /// EMPTY_SET: Pushes an empty set.
    case emptySet = 0x8F
    /// ADDITEMS: Adds the items above the mark to the set below the mark.
    case addItems = 0x90
    /// FROZENSET: Builds a frozenset from the items above the mark.
    case frozenSet = 0x91
    /// POP: Discards the top item (or the topmost mark).
    case pop = 0x30
    /// DUP: Pushes the top item again.
    case dup = 0x32
    /// MARK: Pushes a mark.
    case mark = 0x28
    /// POP_MARK: Discards everything above the topmost mark, and the mark.
    case popMark = 0x31
    /// GET: Pushes a memo entry named by a decimal line.
    case get = 0x67
    /// BINGET: Pushes a memo entry with an 8-bit index.
    case binGet = 0x68
    /// LONG_BINGET: Pushes a memo entry with a 32-bit index.
    case longBinGet = 0x6A
    /// PUT: Stores the top item in the memo under a decimal line index.
    case put = 0x70
    /// BINPUT: Stores the top item in the memo under an 8-bit index.
    case binPut = 0x71
    /// LONG_BINPUT: Stores the top item in the memo under a 32-bit index.
    case longBinPut = 0x72
    /// MEMOIZE: Stores the top item in the memo under the next free index.
    case memoize = 0x94
    /// EXT1: Extension registry code, 8-bit (refused: no registry).
    case ext1 = 0x82
    /// EXT2: Extension registry code, 16-bit (refused: no registry).
    case ext2 = 0x83
    /// EXT4: Extension registry code, 32-bit (refused: no registry).
    case ext4 = 0x84
    /// GLOBAL: Pushes the global named by two lines, module and name.
    case global = 0x63
    /// STACK_GLOBAL: Pushes the global named by the two strings on the stack.
    case stackGlobal = 0x93
    /// REDUCE: Calls the callable below the argument tuple.
    case reduce = 0x52
    /// BUILD: Gives the object below it its state (`__setstate__` or `__dict__` update).
    case build = 0x62
    /// INST: Calls the class named by two lines with the items above the mark.
    case inst = 0x69
    /// OBJ: Calls the class above the mark with the items after it.
    case obj = 0x6F
    /// NEWOBJ: `cls.__new__(cls, *args)`: allocates without running `__init__`.
    case newObj = 0x81
    /// NEWOBJ_EX: `cls.__new__(cls, *args, **kwargs)`.
    case newObjEx = 0x92
    /// PROTO: Protocol version, first opcode of protocols 2 and later.
    case proto = 0x80
    /// STOP: Ends the pickle; the top item is the result.
    case stop = 0x2E
    /// FRAME: Announces the length of the next frame (protocol 4 framing).
    case frame = 0x95
    /// PERSID: Persistent id given as an ASCII line.
    case persID = 0x50
    /// BINPERSID: Persistent id taken from the stack.
    case binPersID = 0x51

    /// CPython's name for the opcode (`BINPUT`), as `pickletools` prints it.
    public var name: String { PickleOpcode.table[self]!.name }

    /// The protocol that introduced the opcode.
    public var introducedInProtocol: Int { PickleOpcode.table[self]!.protocolVersion }

    /// The ``name``.
    public var description: String { name }

    private static let table: [PickleOpcode: (name: String, protocolVersion: Int)] = [
        .int: ("INT", 0),
        .binInt: ("BININT", 1),
        .binInt1: ("BININT1", 1),
        .binInt2: ("BININT2", 1),
        .long: ("LONG", 0),
        .long1: ("LONG1", 2),
        .long4: ("LONG4", 2),
        .string: ("STRING", 0),
        .binString: ("BINSTRING", 1),
        .shortBinString: ("SHORT_BINSTRING", 1),
        .binBytes: ("BINBYTES", 3),
        .shortBinBytes: ("SHORT_BINBYTES", 3),
        .binBytes8: ("BINBYTES8", 4),
        .byteArray8: ("BYTEARRAY8", 5),
        .nextBuffer: ("NEXT_BUFFER", 5),
        .readonlyBuffer: ("READONLY_BUFFER", 5),
        .none: ("NONE", 0),
        .newTrue: ("NEWTRUE", 2),
        .newFalse: ("NEWFALSE", 2),
        .unicode: ("UNICODE", 0),
        .shortBinUnicode: ("SHORT_BINUNICODE", 4),
        .binUnicode: ("BINUNICODE", 1),
        .binUnicode8: ("BINUNICODE8", 4),
        .float: ("FLOAT", 0),
        .binFloat: ("BINFLOAT", 1),
        .emptyList: ("EMPTY_LIST", 1),
        .append: ("APPEND", 0),
        .appends: ("APPENDS", 1),
        .list: ("LIST", 0),
        .emptyTuple: ("EMPTY_TUPLE", 1),
        .tuple: ("TUPLE", 0),
        .tuple1: ("TUPLE1", 2),
        .tuple2: ("TUPLE2", 2),
        .tuple3: ("TUPLE3", 2),
        .emptyDict: ("EMPTY_DICT", 1),
        .dict: ("DICT", 0),
        .setItem: ("SETITEM", 0),
        .setItems: ("SETITEMS", 1),
        .emptySet: ("EMPTY_SET", 4),
        .addItems: ("ADDITEMS", 4),
        .frozenSet: ("FROZENSET", 4),
        .pop: ("POP", 0),
        .dup: ("DUP", 0),
        .mark: ("MARK", 0),
        .popMark: ("POP_MARK", 1),
        .get: ("GET", 0),
        .binGet: ("BINGET", 1),
        .longBinGet: ("LONG_BINGET", 1),
        .put: ("PUT", 0),
        .binPut: ("BINPUT", 1),
        .longBinPut: ("LONG_BINPUT", 1),
        .memoize: ("MEMOIZE", 4),
        .ext1: ("EXT1", 2),
        .ext2: ("EXT2", 2),
        .ext4: ("EXT4", 2),
        .global: ("GLOBAL", 0),
        .stackGlobal: ("STACK_GLOBAL", 4),
        .reduce: ("REDUCE", 0),
        .build: ("BUILD", 0),
        .inst: ("INST", 0),
        .obj: ("OBJ", 1),
        .newObj: ("NEWOBJ", 2),
        .newObjEx: ("NEWOBJ_EX", 4),
        .proto: ("PROTO", 2),
        .stop: ("STOP", 0),
        .frame: ("FRAME", 4),
        .persID: ("PERSID", 0),
        .binPersID: ("BINPERSID", 1),
    ]
}
