import TorchCheckpoint

/// Finds DAConv modules among named tensors by their key pattern, and says why a match cannot be folded.
public struct DAConvDetector: Sendable {
    public let rules: DAConvRules

    public init(rules: DAConvRules = .standard) {
        self.rules = rules
    }

    public struct Result: Sendable {
        /// Foldable modules, in the order their first key appears.
        public var modules: [DAConvModule] = []
        /// Modules that match the pattern but cannot be folded.
        public var unfoldable: [UnfoldableModule] = []
    }

    /// A prefix is a candidate when it holds at least two of the rules' keys (a branch weight and a gate, or
    /// two branch weights); then every branch weight and gate must be present.
    /// Only names that end in a rule's key are looked at twice: a module's keys all do.
    public func detect(in tensors: [(name: String, tensor: TorchTensor)]) -> Result {
        let suffixes = rules.keySuffixes
        let dottedSuffixes = suffixes.map { "." + $0 }
        var byName: [String: TorchTensor] = [:]
        var candidates: [String] = []
        var seen = Set<String>()
        let filter = KeyFilter(rules)
        for (name, tensor) in tensors {
            guard filter.mayEndInAKey(name) else { continue }
            var matched = false
            for (suffix, dotted) in zip(suffixes, dottedSuffixes) where name == suffix || name.hasSuffix(dotted) {
                matched = true
                let prefix = String(name.dropLast(suffix.count)).trimmingSuffixDot
                if seen.insert(prefix).inserted { candidates.append(prefix) }
            }
            if matched && byName[name] == nil { byName[name] = tensor }
        }
        var result = Result()
        for prefix in candidates {
            let dot = prefix.isEmpty ? "" : prefix + "."
            let present = suffixes.filter { byName[dot + $0] != nil }
            let required = rules.branches.flatMap { [$0.name + ".weight"] + ($0.gate.map { [$0] } ?? []) }
            guard present.filter({ required.contains($0) }).count >= 2 else { continue }
            switch module(prefix, byName) {
            case .success(let module): result.modules.append(module)
            case .failure(let problem): result.unfoldable.append(problem)
            }
        }
        return result
    }

    private func module(_ prefix: String, _ byName: [String: TorchTensor]) -> Swift.Result<DAConvModule, UnfoldableModule> {
        let dot = prefix.isEmpty ? "" : prefix + "."
        func fail(_ reason: String) -> Swift.Result<DAConvModule, UnfoldableModule> {
            .failure(UnfoldableModule(module: prefix, reason: reason))
        }
        var branches: [DAConvModule.Branch] = []
        for rule in rules.branches {
            let weightName = dot + rule.name + ".weight"
            guard let weight = byName[weightName] else { return fail("\(weightName) is missing") }
            let biasName = dot + rule.name + ".bias"
            let gateName = rule.gate.map { dot + $0 }
            let gate = gateName.flatMap { byName[$0] }
            if let gateName, gate == nil { return fail("gate \(gateName) is missing") }
            branches.append(
                DAConvModule.Branch(
                    rule: rule, weightName: weightName, weight: weight, biasName: byName[biasName] == nil ? nil : biasName,
                    bias: byName[biasName], gateName: gateName, gate: gate))
        }
        if let problem = FoldabilityCheck.problem(with: branches) { return fail(problem) }
        return .success(DAConvModule(module: prefix, branches: branches))
    }
}

extension DAConvDetector {
    /// The first test of a name, before any hashing: a name ends in a rule's key only if it ends in the key's
    /// last character (all keys end in ASCII). Callers with many names pass only those it lets through.
    public struct KeyFilter: Sendable {
        private var lastBytes = [Bool](repeating: false, count: 128)

        public init(_ rules: DAConvRules) {
            for suffix in rules.keySuffixes {
                if let last = suffix.utf8.last, last < 0x80 { lastBytes[Int(last)] = true }
            }
        }

        public func mayEndInAKey(_ name: String) -> Bool {
            guard let last = name.utf8.last else { return true }
            return mayEndInAKey(lastByte: last)
        }

        /// The same for a name whose last UTF-8 byte is `last`.
        public func mayEndInAKey(lastByte last: UInt8) -> Bool {
            last >= 0x80 || lastBytes[Int(last)]
        }
    }
}

extension String {
    var trimmingSuffixDot: String { hasSuffix(".") ? String(dropLast()) : self }
}
