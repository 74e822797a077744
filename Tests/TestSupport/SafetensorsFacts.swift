import Foundation

/// What the safetensors library reported about a fixture of `fixtures/safetensors/` (written by
/// `make_safetensors_fixtures.py`), and the bad cases it refuses.
public struct SafetensorsFacts: Decodable {
    public struct Tensor: Decodable {
        public let name: String
        public let dtype: String
        public let torch_dtype: String
        public let shape: [Int]
        public let data_offsets: [UInt64]
        public let sha256: String
    }

    public struct BadCase: Decodable {
        /// The `SafetensorsProblem` case our reader must report.
        public let problem: String
        /// How the reference library refused the file.
        public let reference: String
    }

    public let file: String
    public let file_size: UInt64
    public let header_length: UInt64
    public let metadata: [String: String]?
    public let tensors: [Tensor]

    /// `fixtures/safetensors/<name>`.
    public static func path(_ name: String) -> String {
        Fixtures.path("safetensors/\(name)")
    }

    /// The facts of `fixtures/safetensors/<name>.safetensors`.
    public static func load(_ name: String) throws -> SafetensorsFacts {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("\(name).facts.json")))
        return try JSONDecoder().decode(SafetensorsFacts.self, from: data)
    }

    /// `fixtures/safetensors/bad/cases.json`: file name -> case.
    public static func badCases() throws -> [String: BadCase] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("bad/cases.json")))
        return try JSONDecoder().decode([String: BadCase].self, from: data)
    }
}
