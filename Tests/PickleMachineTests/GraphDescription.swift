import PickleMachine

/// Describes a value of a graph in the format make_vectors.py documents, so decoded graphs can be
/// compared with what CPython loaded. Containers reached more than once are labelled `#n=` / `#n`.
struct GraphDescription {
    let graph: PickleGraph
    private var counts: [PickleNodeID: Int] = [:]
    private var labels: [PickleNodeID: Int] = [:]

    static func describe(_ value: PickleValue, in graph: PickleGraph) -> String {
        var describer = GraphDescription(graph: graph)
        describer.count(value)
        return describer.text(value)
    }

    private init(graph: PickleGraph) {
        self.graph = graph
    }

    private func labelable(_ id: PickleNodeID) -> Bool {
        switch graph[id].kind {
        case .global, .persistentID: return false
        case .tuple: return !graph[id].items.isEmpty
        default: return true
        }
    }

    private func children(_ id: PickleNodeID) -> [PickleValue] {
        let node = graph[id]
        var result: [PickleValue] = []
        switch node.kind {
        case .call, .object: result = [node.args]
        default: break
        }
        result += node.items
        for entry in node.entries { result += [entry.key, entry.value] }
        if let state = node.state { result.append(state) }
        return result
    }

    private mutating func count(_ root: PickleValue) {
        var pending = [root]
        while let value = pending.popLast() {
            guard case .node(let id) = value, labelable(id) else { continue }
            counts[id, default: 0] += 1
            if counts[id] == 1 { pending += children(id).reversed() }
        }
    }

    private mutating func text(_ value: PickleValue) -> String {
        switch value {
        case .none: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let number): return String(number)
        case .bigInt(let number): return number.description
        case .float(let number):
            let hex = String(number.bitPattern, radix: 16)
            return "f:" + String(repeating: "0", count: 16 - hex.count) + hex
        case .string(let string): return GraphDescription.quoted(string)
        case .bytes(let bytes): return "b'" + bytes.map { String(format2: $0) }.joined() + "'"
        case .node(let id): return nodeText(id)
        }
    }

    static func quoted(_ string: String) -> String {
        var out = "'"
        for scalar in string.unicodeScalars {
            if (0x20..<0x7F).contains(scalar.value) && scalar != "'" && scalar != "\\" {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
        return out + "'"
    }

    private mutating func nodeText(_ id: PickleNodeID) -> String {
        var prefix = ""
        if counts[id, default: 0] > 1 {
            if let label = labels[id] { return "#\(label)" }
            labels[id] = labels.count + 1
            prefix = "#\(labels[id]!)="
        }
        let node = graph[id]
        var out = prefix + body(node)
        if case .call = node.kind { out += suffixes(node) }
        if case .object = node.kind { out += suffixes(node) }
        if let state = node.state { out += "+state(" + text(state) + ")" }
        return out
    }

    private mutating func body(_ node: PickleNode) -> String {
        switch node.kind {
        case .list: return "[" + list(node.items) + "]"
        case .tuple: return "(" + list(node.items) + (node.items.count == 1 ? ",)" : ")")
        case .dict(let ordered): return (ordered ? "OrderedDict{" : "{") + pairs(node.entries) + "}"
        case .set(let frozen): return (frozen ? "frozenset{" : "set{") + list(node.items) + "}"
        case .global(let global): return "global(\(global.qualifiedName))"
        case .call(let global): return "call(\(global.qualifiedName), " + text(node.args) + ")"
        case .object(let global, let construction):
            return "object(\(global.qualifiedName), \(construction), " + text(node.args) + ")"
        case .persistentID: return "pid(" + GraphDescription.describeWithoutLabels(node.args, in: graph) + ")"
        }
    }

    private static func describeWithoutLabels(_ value: PickleValue, in graph: PickleGraph) -> String {
        var describer = GraphDescription(graph: graph)
        return describer.text(value)
    }

    private mutating func suffixes(_ node: PickleNode) -> String {
        var out = ""
        if !node.items.isEmpty { out += "+items[" + list(node.items) + "]" }
        if !node.entries.isEmpty { out += "+entries{" + pairs(node.entries) + "}" }
        return out
    }

    private mutating func list(_ values: [PickleValue]) -> String {
        var parts: [String] = []
        for value in values { parts.append(text(value)) }
        return parts.joined(separator: ", ")
    }

    private mutating func pairs(_ entries: [PickleDictEntry]) -> String {
        var parts: [String] = []
        for entry in entries { parts.append(text(entry.key) + ": " + text(entry.value)) }
        return parts.joined(separator: ", ")
    }
}

extension String {
    /// Two lowercase hex digits.
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
