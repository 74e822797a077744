/// Reading branch rules from the command line (`--branch cac:add:cac_theta`) or a rules file.
///
/// A rules file has one branch per line, `NAME KIND GATE` separated by spaces or tabs, where KIND is
/// `add`, `difference` or `vanilla` and GATE is a parameter name or `none`; `#` starts a comment.
extension DAConvRules {
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case malformed(source: String, text: String, expected: String)
        case unknownKind(source: String, kind: String)
        case duplicateBranch(source: String, name: String)
        case noBranches(source: String)

        public var description: String {
            switch self {
            case .malformed(let source, let text, let expected): return "\(source): '\(text)' is not \(expected)"
            case .unknownKind(let source, let kind):
                return "\(source): unknown branch kind '\(kind)' (use add, difference or vanilla)"
            case .duplicateBranch(let source, let name): return "\(source): branch '\(name)' is named twice"
            case .noBranches(let source): return "\(source): no branch rules"
            }
        }
    }

    /// Rules from `NAME:KIND:GATE` specifications (GATE `none` for an ungated branch).
    public static func parse(branchSpecifications specs: [String]) throws -> DAConvRules {
        let branches = try specs.map { spec -> Branch in
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else {
                throw ParseError.malformed(source: "--branch", text: spec, expected: "NAME:KIND:GATE")
            }
            return try branch(parts, source: "--branch")
        }
        return try validated(branches, source: "--branch")
    }

    /// Rules from the text of a rules file.
    public static func parse(rulesFile text: String, source: String) throws -> DAConvRules {
        var branches: [Branch] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard !fields.isEmpty else { continue }
            let place = "\(source) line \(number + 1)"
            guard fields.count == 3 else {
                throw ParseError.malformed(source: place, text: String(rawLine), expected: "NAME KIND GATE")
            }
            branches.append(try branch(fields, source: place))
        }
        return try validated(branches, source: source)
    }

    private static func branch(_ fields: [String], source: String) throws -> Branch {
        let name = fields[0]
        let gate = fields[2]
        guard isIdentifierPath(name) else {
            throw ParseError.malformed(source: source, text: name, expected: "a branch name (letters, digits, _ and .)")
        }
        guard let kind = Kind(rawValue: fields[1]) else { throw ParseError.unknownKind(source: source, kind: fields[1]) }
        guard gate == "none" || isIdentifierPath(gate) else {
            throw ParseError.malformed(source: source, text: gate, expected: "a gate parameter name or none")
        }
        return Branch(name: name, kind: kind, gate: gate == "none" ? nil : gate)
    }

    private static func validated(_ branches: [Branch], source: String) throws -> DAConvRules {
        guard !branches.isEmpty else { throw ParseError.noBranches(source: source) }
        var seen = Set<String>()
        for branch in branches where !seen.insert(branch.name).inserted {
            throw ParseError.duplicateBranch(source: source, name: branch.name)
        }
        return DAConvRules(branches: branches)
    }

    private static func isIdentifierPath(_ text: String) -> Bool {
        !text.isEmpty && !text.hasPrefix(".") && !text.hasSuffix(".")
            && text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "." }
    }
}
