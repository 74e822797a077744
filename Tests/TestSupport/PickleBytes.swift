/// Protocol-2 pickle opcodes as bytes, for tests that craft the pickles real tools never write.
public enum PickleBytes {
    /// GLOBAL `module.name`.
    public static func global(_ module: String, _ name: String) -> [UInt8] { Array("c\(module)\n\(name)\n".utf8) }

    /// BINUNICODE.
    public static func text(_ value: String) -> [UInt8] {
        let bytes = Array(value.utf8)
        return [0x58] + withUnsafeBytes(of: UInt32(bytes.count).littleEndian, Array.init) + bytes
    }

    /// SHORT_BINBYTES (protocol 3).
    public static func bytes(_ value: [UInt8]) -> [UInt8] { [0x43, UInt8(value.count)] + value }

    /// BININT.
    public static func int(_ value: Int32) -> [UInt8] { [0x4A] + withUnsafeBytes(of: value.littleEndian, Array.init) }

    /// MARK, the items, TUPLE.
    public static func tuple(_ items: [UInt8]...) -> [UInt8] { [0x28] + items.flatMap { $0 } + [0x74] }

    public static let none: [UInt8] = [0x4E]
    public static let reduce: [UInt8] = [0x52]
    public static let build: [UInt8] = [0x62]
}
