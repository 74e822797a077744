import ArgumentParser
import Foundation
import MergeDAConv

/// Batch mode of `merge`: many inputs into one folder, one line per file, one summary report.
struct BatchMergeCommand {
    static let checkpointExtensions: Set<String> = ["pth", "pt", "bin", "ckpt", "tar", "safetensors"]

    let request: MergeRequest
    let inputs: [String]
    let outDir: String
    let jobs: Int
    let report: String?
    let summaryMarkdown: String?
    let quiet: Bool

    func run() throws {
        let files = try expand(inputs)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: outDir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--out-dir \(outDir) is not an existing folder")
        }
        let bar = ProgressBar(label: "merging \(files.count) files", quiet: quiet)
        let counter = Counter()
        let items = BatchMerge.run(inputs: files, outputDirectory: outDir, template: request, jobs: jobs) { item in
            bar.finish()
            Self.printLine(item, quiet: quiet)
            bar.update(counter.increment(), of: files.count, detail: "")
        }
        bar.finish()
        let failed = items.filter { !$0.succeeded }
        if !quiet {
            print(
                "merged \(items.count - failed.count) of \(Formatting.plural(items.count, "file"))"
                    + (failed.isEmpty ? "" : ", \(failed.count) failed"))
        }
        if let report { try ReportFile.write(Self.json(items), to: report) }
        try JobSummary.write({ MarkdownSummary.batch(items.map(\.summaryFile)) }, to: summaryMarkdown)
        if !failed.isEmpty { throw ExitCode(Self.status(of: failed)) }
    }

    /// Folders are replaced by their checkpoint files (not recursive), sorted by name.
    private func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            let folder = path.hasSuffix("/") ? path : path + "/"
            files += names.filter { Self.checkpointExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .map { folder + $0 }
        }
        guard !files.isEmpty else {
            throw ValidationError(
                "no checkpoint files (.pth, .pt, .bin, .ckpt, .safetensors) in \(paths.joined(separator: ", "))")
        }
        return files
    }

    private static func printLine(_ item: BatchMerge.Item, quiet: Bool) {
        switch item.result {
        case .success(let outcome) where outcome.written != nil:
            guard !quiet else { return }
            let worst = outcome.report.layers.map(\.maxRelError).max()
            let detail = worst.map { "max rel error \(EquivalenceReport.scientific($0))" } ?? "no DAConv"
            print(
                "ok      \(item.input) -> \(item.output)  \(Formatting.plural(outcome.report.layers.count, "layer")), \(detail)")
        case .success(let outcome):
            let failed = outcome.report.layers.filter { !$0.passed }.map(\.module)
            ToolFailure.printError("\(item.input): not written, layers not equivalent: \(failed.joined(separator: ", "))")
        case .failure(let failure):
            ToolFailure.printError(failure.message)
        }
    }

    /// One kind of failure gives its own status (``ToolFailure/status(_:)``, as for a single merge); a mix gives 1.
    private static func status(of failed: [BatchMerge.Item]) -> Int32 {
        let statuses = Set(
            failed.map { item -> Int32 in
                guard case .failure(let failure) = item.result else { return ToolFailure.checkFailed }
                return ToolFailure.status(failure.kind)
            })
        return statuses.count == 1 ? statuses.first! : ToolFailure.checkFailed
    }

    private static func json(_ items: [BatchMerge.Item]) -> JSONValue {
        .object([
            ("passed", .bool(items.allSatisfy(\.succeeded))),
            (
                "files",
                .array(
                    items.map { item in
                        var members: [(String, JSONValue)] = [
                            ("input", .string(item.input)), ("output", .string(item.output)),
                            ("passed", .bool(item.succeeded)), ("seconds", .double(item.seconds)),
                        ]
                        switch item.result {
                        case .success(let outcome): members.append(("report", outcome.report.json()))
                        case .failure(let failure): members.append(("error", .string(failure.message)))
                        }
                        return .object(members)
                    })
            ),
        ])
    }
}

/// Files finished so far, counted from the workers.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
