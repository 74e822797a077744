/// The JSON text of a header exactly as the reference implementation writes it (serde_json, compact):
/// `{"__metadata__":{...},"name":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},...}`, padded with
/// spaces to a multiple of 8 bytes so the data area starts 8-aligned.
enum SafetensorsHeaderText {
    /// The padded JSON for `tensors` (in data order) and `metadata` (written in the order given).
    static func json(tensors: [SafetensorsTensorInfo], metadata: [SafetensorsMetadataEntry]?) -> [UInt8] {
        var text: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        func separator() {
            if !first { text.append(UInt8(ascii: ",")) }
            first = false
        }
        if let metadata {
            separator()
            appendString("__metadata__", to: &text)
            text += Array(":{".utf8)
            for (index, entry) in metadata.enumerated() {
                if index > 0 { text.append(UInt8(ascii: ",")) }
                appendString(entry.key, to: &text)
                text.append(UInt8(ascii: ":"))
                appendString(entry.value, to: &text)
            }
            text.append(UInt8(ascii: "}"))
        }
        for tensor in tensors {
            separator()
            appendString(tensor.name, to: &text)
            text += Array(":{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[".utf8)
            text += Array(tensor.shape.map(String.init).joined(separator: ",").utf8)
            text += Array("],\"data_offsets\":[\(tensor.begin),\(tensor.end)]}".utf8)
        }
        text.append(UInt8(ascii: "}"))
        let padding = (8 - text.count % 8) % 8
        return text + [UInt8](repeating: UInt8(ascii: " "), count: padding)
    }

    /// A JSON string as serde_json escapes it: `"` and `\`, the five short control escapes, other control
    /// characters as lowercase `\u00XX`; everything else (non-ASCII included) as raw UTF-8.
    static func appendString(_ string: String, to text: inout [UInt8]) {
        let short: [UInt8: UInt8] = [
            0x22: UInt8(ascii: "\""), 0x5C: UInt8(ascii: "\\"), 0x08: UInt8(ascii: "b"), 0x09: UInt8(ascii: "t"),
            0x0A: UInt8(ascii: "n"), 0x0C: UInt8(ascii: "f"), 0x0D: UInt8(ascii: "r"),
        ]
        let hex = Array("0123456789abcdef".utf8)
        text.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            if let escaped = short[byte] {
                text += [UInt8(ascii: "\\"), escaped]
            } else if byte < 0x20 {
                text += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            } else {
                text.append(byte)
            }
        }
        text.append(UInt8(ascii: "\""))
    }
}
