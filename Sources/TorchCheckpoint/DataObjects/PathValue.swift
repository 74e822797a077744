import PickleMachine

/// A `pathlib` path: REDUCE of the class with its parts (`PosixPath('/', 'data', 'runs')`), read as the string
/// `str(path)` gives, by pathlib's own joining and normalizing rules for its flavour; nothing is touched on disk.
public struct PathValue: Sendable, Equatable {
    /// `pathlib.PosixPath`, `pathlib._local.PureWindowsPath`, ...
    public let className: String
    /// What `str(path)` prints.
    public let text: String

    /// A path of `className` that prints as `text`.
    public init(className: String, text: String) {
        self.className = className
        self.text = text
    }

    /// The classes read (Python 3.13 defines them in `pathlib._local`).
    static let classNames: Set<String> = {
        let names = ["PurePath", "PurePosixPath", "PureWindowsPath", "Path", "PosixPath", "WindowsPath"]
        return Set(names.flatMap { ["pathlib.\($0)", "pathlib._local.\($0)"] })
    }()

    static func read(_ node: PickleNode, class global: PickleGlobal, in graph: PickleGraph) throws -> PathValue {
        let args = graph.sequence(node.args) ?? []
        let parts = args.compactMap(\.stringValue)
        guard parts.count == args.count, node.state == nil, node.items.isEmpty, node.entries.isEmpty else {
            let found = args.map { describe($0, graph) }.joined(separator: ", ")
            throw DataObjectProblem.refused("\(global.qualifiedName) with arguments (\(found)): a path is read from strings only")
        }
        let windows = global.name.contains("Windows")
        return PathValue(className: global.qualifiedName, text: windows ? Self.windows(parts) : Self.posix(parts))
    }

    /// `posixpath.join` of the parts, then pathlib's normal form: `//` kept as a root of its own, empty and `.`
    /// components dropped, `.` for nothing.
    static func posix(_ parts: [String]) -> String {
        var joined = ""
        for part in parts {
            if part.hasPrefix("/") || joined.isEmpty {
                joined = part
            } else {
                joined += (joined.hasSuffix("/") ? "" : "/") + part
            }
        }
        let root = joined.hasPrefix("//") && !joined.hasPrefix("///") ? "//" : (joined.hasPrefix("/") ? "/" : "")
        let names = joined.split(separator: "/").filter { $0 != "." }
        if root.isEmpty && names.isEmpty { return "." }
        return root + names.joined(separator: "/")
    }

    /// `ntpath.join` of the parts (a part with a root restarts the path, one with another drive replaces it),
    /// then the normal form: `\` separators, empty and `.` components dropped.
    static func windows(_ parts: [String]) -> String {
        var (drive, root, path) = ("", "", "")
        for part in parts {
            let (partDrive, partRoot, partPath) = splitRoot(part.replacingSlashes)
            if !partRoot.isEmpty {
                if !partDrive.isEmpty || drive.isEmpty { drive = partDrive }
                (root, path) = (partRoot, partPath)
                continue
            }
            if !partDrive.isEmpty && partDrive.lowercased() != drive.lowercased() {
                (drive, root, path) = (partDrive, partRoot, partPath)
                continue
            }
            if !partDrive.isEmpty { drive = partDrive }
            if !path.isEmpty && !path.hasSuffix("\\") { path += "\\" }
            path += partPath
        }
        let names = path.split(separator: "\\").filter { $0 != "." }
        if drive.isEmpty && root.isEmpty && names.isEmpty { return "." }
        return drive + root + names.joined(separator: "\\")
    }

    /// Drive (`C:` or `\\server\share`), root (`\` or nothing) and the rest.
    private static func splitRoot(_ text: String) -> (String, String, String) {
        let characters = Array(text)
        if characters.count >= 2 && characters[1] == ":" && characters[0].isLetter {
            let rest = String(characters.dropFirst(2))
            return rest.hasPrefix("\\")
                ? (String(characters.prefix(2)), "\\", String(rest.dropFirst())) : (String(characters.prefix(2)), "", rest)
        }
        if text.hasPrefix("\\\\") {
            // \\server\share is the drive of a UNC path.
            let pieces = text.dropFirst(2).split(separator: "\\", maxSplits: 2, omittingEmptySubsequences: false)
            let drive = "\\\\" + pieces.prefix(2).joined(separator: "\\")
            let rest = pieces.count > 2 ? String(pieces[2]) : ""
            return (drive, pieces.count > 2 ? "\\" : "", rest)
        }
        if text.hasPrefix("\\") { return ("", "\\", String(text.dropFirst())) }
        return ("", "", text)
    }
}

extension String {
    fileprivate var replacingSlashes: String { String(map { $0 == "/" ? "\\" : $0 }) }
}
