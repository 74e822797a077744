// Raw memory for JSON text: a string's UTF-8 bytes are checked in place for what JSON must escape, once per
// string of a report that writes millions of them.

/// Byte loops of ``JSONValue``'s writer.
enum JSONTextCalls {
    /// Appends the string's first UTF-8 bytes that JSON takes as they are (up to the first control byte, quote
    /// or backslash); returns how many it appended.
    static func appendPlainPrefix(_ text: String, to output: inout [UInt8]) -> Int {
        func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
            let length = plainPrefixLength(bytes)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[0..<length]))
            return length
        }
        if let length = text.utf8.withContiguousStorageIfAvailable(append) { return length }
        var text = text
        return text.withUTF8(append)
    }

    private static func plainPrefixLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
            index += 1
        }
        return index
    }
}
