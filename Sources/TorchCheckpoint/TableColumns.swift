/// A table built cell by cell into one byte buffer, for ``Formatting``'s tables: a table of tens of thousands of
/// rows is a few allocations, not a String per cell, and its column widths are measured once, when it is written.
///
/// Cells are added left to right, row after row: text and numbers go into the open cell, ``endCell()`` closes it.
/// Widths count characters (bytes of ASCII cells); a row with a non-ASCII cell is padded by characters.
public struct TableColumns {
    public let columnCount: Int
    // Internal, not private, so that the calls made once per cell inline into the reports that fill a table.
    @usableFromInline var bytes: [UInt8] = []
    /// Where each cell ends in `bytes`, row after row.
    @usableFromInline var ends: [Int] = []
    /// The open cell's column.
    @usableFromInline var column = 0
    /// The complete rows.
    @usableFromInline var rows = 0
    public var rowCount: Int { rows }

    public init(columns: Int, rowCapacity: Int = 0, byteCapacity: Int = 0) {
        columnCount = columns
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
        self.rows = rows.count
    }

    /// Appends text to the open cell.
    public mutating func add(_ text: some StringProtocol) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends text to the open cell.
    public mutating func add(_ text: String) {
        TableBytesCalls.append(text, to: &bytes)
    }

    /// Appends UTF-8 text to the open cell.
    @inlinable public mutating func add(bytes text: ArraySlice<UInt8>) {
        bytes.append(contentsOf: text)
    }

    /// Appends `1,234,567` (see ``Formatting/count(_:)``) to the open cell.
    public mutating func addCount(_ value: Int) {
        addDecimal(value, grouped: true)
    }

    /// Appends the decimal digits of `value` to the open cell.
    public mutating func addDecimal(_ value: Int, grouped: Bool = false) {
        TableBytesCalls.appendDecimal(value, grouped: grouped, to: &bytes)
    }

    /// Appends `[2, 3]` (see ``Formatting/shape(_:)``) to the open cell.
    public mutating func addShape(_ shape: [Int]) {
        bytes.append(UInt8(ascii: "["))
        for axis in shape.indices {
            if axis > 0 {
                bytes.append(UInt8(ascii: ","))
                bytes.append(UInt8(ascii: " "))
            }
            addDecimal(shape[axis])
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Closes the open cell; the next cell starts the next column (or the next row after the last column).
    @inlinable public mutating func endCell() {
        ends.append(bytes.count)
        column += 1
        if column == columnCount {
            column = 0
            rows += 1
        }
    }

    func cell(row: Int, column: Int) -> ArraySlice<UInt8> {
        let index = row * columnCount + column
        return bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }

    /// Each row after `indent`, the rows joined by newlines (no newline after the last), appended to `out`.
    public func write(into out: inout [UInt8], rightAligned: Set<Int> = [], indent: String = "") {
        let (widths, characterRows) = TableBytesCalls.measure(cells: bytes, ends: ends, columns: columnCount)
        let layout = TableBytesCalls.RowLayout(
            widths: widths, alignRight: (0..<columnCount).map { rightAligned.contains($0) }, indent: Array(indent.utf8))
        var next = 0
        for characterRow in characterRows + [rowCount] {
            if next < characterRow {
                TableBytesCalls.appendRows(next..<characterRow, cells: bytes, ends: ends, layout: layout, into: &out)
            }
            if characterRow < rowCount {
                if characterRow > 0 { out.append(UInt8(ascii: "\n")) }
                out.append(contentsOf: layout.indent)
                out.append(contentsOf: characterLine(characterRow, layout).utf8)
            }
            next = characterRow + 1
        }
    }

    /// Each row as a line of its own.
    func lines(rightAligned: Set<Int>) -> [String] {
        let (widths, characterRows) = TableBytesCalls.measure(cells: bytes, ends: ends, columns: columnCount)
        let layout = TableBytesCalls.RowLayout(
            widths: widths, alignRight: (0..<columnCount).map { rightAligned.contains($0) }, indent: [])
        var characterRow = characterRows.makeIterator()
        var nextCharacterRow = characterRow.next()
        return (0..<rowCount).map { row in
            if row == nextCharacterRow {
                nextCharacterRow = characterRow.next()
                return characterLine(row, layout)
            }
            var line: [UInt8] = []
            TableBytesCalls.appendRows(row..<row + 1, cells: bytes, ends: ends, layout: layout, into: &line)
            return String(decoding: row == 0 ? line[...] : line.dropFirst(), as: UTF8.self)
        }
    }

    /// A row with a non-ASCII cell, padded and trimmed by characters.
    private func characterLine(_ row: Int, _ layout: TableBytesCalls.RowLayout) -> String {
        let cells = (0..<columnCount).map { String(decoding: cell(row: row, column: $0), as: UTF8.self) }
        return Formatting.characterLine(cells, widths: layout.widths, alignRight: layout.alignRight)
    }
}
