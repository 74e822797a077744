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
        let layout = TableLayout(rows, rightAligned: rightAligned)
        return rows.map { row in
            var text = TableText(capacity: layout.lineLength)
            layout.render(row, into: &text)
            return text.string
        }
    }

    /// ``table(_:rightAligned:)``'s lines, each after `indent`, joined by newlines: written byte by byte into one
    /// buffer (a table of tens of thousands of rows is one allocation, not several per cell).
    public static func tableText(_ rows: [[String]], rightAligned: Set<Int> = [], indent: String = "") -> String {
        let layout = TableLayout(rows, rightAligned: rightAligned)
        var text = TableText(capacity: rows.count * (layout.lineLength + indent.utf8.count + 1))
        for (index, row) in rows.enumerated() {
            if index > 0 { text.newLine() }
            text.add(indent)
            layout.render(row, into: &text)
        }
        return text.string
    }

    /// A row with non-ASCII cells, padded and trimmed by characters.
    fileprivate static func characterLine(_ row: [String], widths: [Int], alignRight: [Bool]) -> String {
        row.enumerated().map { i, cell in
            let pad = String(repeating: " ", count: widths[i] - cell.count)
            return alignRight[i] ? pad + cell : cell + pad
        }.joined(separator: "  ").trimmingTrailingSpaces
    }
}

/// Column widths and alignment of a table.
private struct TableLayout {
    let widths: [Int]
    let alignRight: [Bool]

    init(_ rows: [[String]], rightAligned: Set<Int>) {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], TableCell.width(cell)) } }
        self.widths = widths
        alignRight = (0..<columns).map { rightAligned.contains($0) }
    }

    var lineLength: Int { widths.reduce(2 * widths.count, +) }

    /// One row: ASCII rows byte by byte, others by characters.
    func render(_ row: [String], into text: inout TableText) {
        guard row.allSatisfy(TableCell.isASCII) else {
            return text.add(Formatting.characterLine(row, widths: widths, alignRight: alignRight))
        }
        for (i, cell) in row.enumerated() {
            if i > 0 { text.addSpaces(2) }
            let pad = widths[i] - cell.utf8.count
            if alignRight[i] { text.addSpaces(pad) }
            text.addTrimmingTrailingSpaces(cell)
            if !alignRight[i] { text.addSpaces(pad) }
        }
    }
}

/// Table cells as the table measures them.
private enum TableCell {
    static func isASCII(_ cell: String) -> Bool {
        cell.utf8.allSatisfy { $0 < 0x80 }
    }

    /// Characters in the cell (its bytes when it is ASCII).
    static func width(_ cell: String) -> Int {
        isASCII(cell) ? cell.utf8.count : cell.count
    }
}

/// Table text being built as bytes; spaces are held back until text follows them on the line, so no line
/// ends in one.
private struct TableText {
    private var bytes: [UInt8] = []
    private var pendingSpaces = 0

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func newLine() {
        pendingSpaces = 0
        bytes.append(UInt8(ascii: "\n"))
    }

    mutating func addSpaces(_ count: Int) {
        pendingSpaces += count
    }

    /// Adds text as it is (after any spaces held back).
    mutating func add(_ text: String) {
        guard !text.isEmpty else { return }
        flushSpaces()
        bytes.append(contentsOf: text.utf8)
    }

    /// Adds an ASCII cell; its own trailing spaces are held back like padding.
    mutating func addTrimmingTrailingSpaces(_ cell: String) {
        let utf8 = cell.utf8
        guard let last = utf8.last else { return }
        let trailing = last == UInt8(ascii: " ") ? utf8.reversed().prefix { $0 == UInt8(ascii: " ") }.count : 0
        guard trailing < utf8.count else {
            pendingSpaces += trailing
            return
        }
        flushSpaces()
        if trailing == 0 { bytes.append(contentsOf: utf8) } else { bytes.append(contentsOf: utf8.dropLast(trailing)) }
        pendingSpaces = trailing
    }

    private mutating func flushSpaces() {
        if pendingSpaces > 0 { bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: pendingSpaces)) }
        pendingSpaces = 0
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
