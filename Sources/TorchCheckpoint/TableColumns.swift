/// A table built cell by cell into one byte buffer, for ``Formatting``'s tables: a table of tens of thousands of
/// rows is a few allocations, not a String per cell, and its column widths are known once the last cell is in.
///
/// Cells are added left to right, row after row: text and numbers go into the open cell, ``endCell()`` closes it.
/// Widths count characters (bytes of ASCII cells); a row with a non-ASCII cell is padded by characters.
public struct TableColumns {
    public let columnCount: Int
    private var bytes: [UInt8] = []
    /// Where each cell ends in `bytes`, row after row.
    private var ends: [Int] = []
    private(set) var widths: [Int]
    /// Rows holding a non-ASCII cell, in order.
    private var characterRows: [Int] = []
    public private(set) var rowCount = 0

    public init(columns: Int, rowCapacity: Int = 0, byteCapacity: Int = 0) {
        columnCount = columns
        widths = [Int](repeating: 0, count: columns)
        ends.reserveCapacity(rowCapacity * columns)
        bytes.reserveCapacity(byteCapacity)
    }

    /// The rows of `rows`, shorter rows ending in empty cells (which add only trailing spaces, trimmed).
    public init(_ rows: [[String]]) {
        let columns = rows.map(\.count).max() ?? 0
        self.init(columns: columns, rowCapacity: rows.count)
        for row in rows {
            for cell in row {
                add(cell)
                endCell()
            }
            for _ in row.count..<columns { endCell() }
        }
        rowCount = rows.count
    }

    /// Appends text to the open cell.
    public mutating func add(_ text: some StringProtocol) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends UTF-8 text to the open cell.
    public mutating func add(bytes text: ArraySlice<UInt8>) {
        bytes.append(contentsOf: text)
    }

    /// Appends `1,234,567` (see ``Formatting/count(_:)``) to the open cell.
    public mutating func addCount(_ value: Int) {
        addDecimal(value, grouped: true)
    }

    /// Appends the decimal digits of `value` to the open cell.
    public mutating func addDecimal(_ value: Int, grouped: Bool = false) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits = 1
        var scale: UInt = 1
        while magnitude / scale >= 10 {
            scale *= 10
            digits += 1
        }
        while digits > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / scale))
            magnitude %= scale
            scale /= 10
            digits -= 1
            if grouped, digits > 0, digits % 3 == 0 { bytes.append(UInt8(ascii: ",")) }
        }
    }

    /// Appends `[2, 3]` (see ``Formatting/shape(_:)``) to the open cell.
    public mutating func addShape(_ shape: [Int]) {
        bytes.append(UInt8(ascii: "["))
        for (axis, size) in shape.enumerated() {
            if axis > 0 { bytes.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
            addDecimal(size)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Closes the open cell; the next cell starts the next column (or the next row after the last column).
    public mutating func endCell() {
        let start = ends.last ?? 0
        let column = ends.count - rowCount * columnCount
        ends.append(bytes.count)
        var width = bytes.count - start
        var index = start
        while index < bytes.count, bytes[index] < 0x80 { index += 1 }
        if index < bytes.count {
            width = String(decoding: bytes[start...], as: UTF8.self).count
            if characterRows.last != rowCount { characterRows.append(rowCount) }
        }
        if width > widths[column] { widths[column] = width }
        if column == columnCount - 1 { rowCount += 1 }
    }

    func cell(row: Int, column: Int) -> ArraySlice<UInt8> {
        let index = row * columnCount + column
        return bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }

    /// Each row after `indent`, the rows joined by newlines (no newline after the last), appended to `out`.
    public func write(into out: inout [UInt8], rightAligned: Set<Int> = [], indent: String = "") {
        let lineLength = widths.reduce(2 * columnCount + indent.utf8.count + 1, +)
        var text = TableText(bytes: out)
        out = []
        text.reserveCapacity(text.bytes.count + rowCount * lineLength)
        forEachRow(rightAligned: rightAligned) { row, render in
            if row > 0 { text.newLine() }
            text.add(indent.utf8)
            render(&text)
        }
        out = text.bytes
    }

    /// Each row as a line of its own.
    func lines(rightAligned: Set<Int>) -> [String] {
        var lines: [String] = []
        forEachRow(rightAligned: rightAligned) { _, render in
            var text = TableText()
            render(&text)
            lines.append(text.string)
        }
        return lines
    }

    /// Calls `body` with each row and what writes it.
    private func forEachRow(rightAligned: Set<Int>, _ body: (Int, (inout TableText) -> Void) -> Void) {
        let alignRight = (0..<columnCount).map { rightAligned.contains($0) }
        var characterRows = characterRows.makeIterator()
        var nextCharacterRow = characterRows.next()
        for row in 0..<rowCount {
            let byCharacters = nextCharacterRow == row
            if byCharacters { nextCharacterRow = characterRows.next() }
            body(row) { render(row: row, alignRight: alignRight, byCharacters: byCharacters, into: &$0) }
        }
    }

    /// One row: ASCII rows byte by byte, others by characters.
    private func render(row: Int, alignRight: [Bool], byCharacters: Bool, into text: inout TableText) {
        if byCharacters {
            let cells = (0..<columnCount).map { String(decoding: cell(row: row, column: $0), as: UTF8.self) }
            return text.add(Formatting.characterLine(cells, widths: widths, alignRight: alignRight).utf8)
        }
        var start = row == 0 ? 0 : ends[row * columnCount - 1]
        for column in 0..<columnCount {
            let end = ends[row * columnCount + column]
            if column > 0 { text.addSpaces(2) }
            let pad = widths[column] - (end - start)
            if alignRight[column] { text.addSpaces(pad) }
            // The cell's own trailing spaces are held back like padding.
            var kept = end
            while kept > start, bytes[kept - 1] == UInt8(ascii: " ") { kept -= 1 }
            if kept > start { text.add(bytes, start..<kept) }
            text.addSpaces(end - kept)
            if !alignRight[column] { text.addSpaces(pad) }
            start = end
        }
    }
}
