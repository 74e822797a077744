/// Number, size and table formatting shared by the readable reports.
public enum Formatting {
    /// `1 item`, `2 items`.
    public static func plural(_ count: Int, _ noun: String) -> String {
        let plural = noun.hasSuffix("y") ? noun.dropLast() + "ies" : noun + "s"
        return "\(Formatting.count(count)) \(count == 1 ? noun : plural)"
    }

    /// `1,234,567`.
    public static func count(_ value: Int) -> String {
        if value >= 0 && value < 1000 { return String(value) }
        let digits = String(value.magnitude)
        var result = ""
        for (i, character) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return (value < 0 ? "-" : "") + result
    }

    /// `864 B`, `12.3 KiB`, `1.02 GiB`.
    public static func bytes(_ value: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var scaled = Double(value)
        var unit = 0
        while scaled >= 1024, unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        if unit == 0 { return "\(value) B" }
        let rounded = (scaled * 100).rounded() / 100
        return "\(rounded) \(units[unit])"
    }

    public static func shape(_ shape: [Int]) -> String {
        var text = "["
        for (axis, size) in shape.enumerated() {
            if axis > 0 { text += ", " }
            text += String(size)
        }
        return text + "]"
    }

    /// Left-aligned columns padded to their widest cell (right-aligned for the given column indices), trailing
    /// spaces trimmed. Widths count characters.
    public static func table(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        TableColumns(rows).lines(rightAligned: rightAligned)
    }

    /// A row with non-ASCII cells, padded and trimmed by characters.
    static func characterLine(_ row: [String], widths: [Int], alignRight: [Bool]) -> String {
        row.enumerated().map { i, cell in
            let pad = String(repeating: " ", count: widths[i] - cell.count)
            return alignRight[i] ? pad + cell : cell + pad
        }.joined(separator: "  ").trimmingTrailingSpaces
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
