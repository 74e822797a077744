/// What writing a checkpoint as safetensors kept, moved and left out. Safetensors holds one flat dict of
/// tensors plus string metadata, so a training checkpoint loses its other entries: the report lists them.
public struct SafetensorsWriteReport: Sendable, Equatable {
    /// Path of the dict written as the file's tensors (empty: the root).
    public var stateDictPath: [String]
    /// Number of tensors written.
    public var tensorCount: Int
    /// Paths of the scalar entries (strings, numbers, bools) written to `__metadata__` as strings.
    public var metadataKeys: [String]
    /// What the file does not hold, grouped by the entry that held it.
    public var omitted: [SafetensorsOmission]
    /// Names of tensors that shared storage (tied weights, views) and were written as separate copies,
    /// one group per storage.
    public var copiedShares: [[String]]

    /// The name a tensor at dotted path `path` (from the root) has in the file, or nil if the file does not
    /// hold it (it is outside the written dict).
    public func outputName(forPath path: String) -> String? {
        guard !stateDictPath.isEmpty else { return path }
        let prefix = stateDictPath.joined(separator: ".") + "."
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : nil
    }

    /// One line per fact a report reader needs: which dict was written, what went to `__metadata__`, what
    /// was left out, which shared tensors were copied.
    public var notes: [String] {
        var notes: [String] = []
        if !stateDictPath.isEmpty {
            notes.append(
                "safetensors holds one state dict: wrote '\(stateDictPath.joined(separator: "."))' (names without its prefix)")
        }
        if !metadataKeys.isEmpty {
            notes.append("kept in safetensors __metadata__ as strings: \(Self.summarize(metadataKeys))")
        }
        for omission in omitted {
            notes.append("not kept (safetensors holds tensors and string metadata only): \(omission.path) (\(omission.what))")
        }
        for group in copiedShares {
            notes.append("written as separate copies (safetensors has no shared storage): \(group.joined(separator: ", "))")
        }
        return notes
    }

    /// Keys grouped by their first component: `epoch, config.* (13 values)`.
    static func summarize(_ keys: [String]) -> String {
        var order: [String] = []
        var groups: [String: [String]] = [:]
        for key in keys {
            let top = String(key.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)[0])
            if groups[top] == nil { order.append(top) }
            groups[top, default: []].append(key)
        }
        return order.map { top in
            let members = groups[top]!
            return members == [top] ? top : "\(top).* (\(members.count) value\(members.count == 1 ? "" : "s"))"
        }.joined(separator: ", ")
    }
}

/// An entry of the checkpoint a safetensors file cannot hold.
public struct SafetensorsOmission: Sendable, Equatable {
    /// Dotted path of the entry.
    public let path: String
    /// What it held (`12 tensors`, `1 other value`, `torch's module version numbers`).
    public let what: String

    /// An omission.
    public init(path: String, what: String) {
        self.path = path
        self.what = what
    }
}
