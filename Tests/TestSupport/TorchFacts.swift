/// What real PyTorch reported about a fixture (written by fixtures/make_fixtures.py).
public struct TorchFacts: Decodable {
    public struct Record: Decodable {
        public let name: String
        public let size: UInt64
        public let data_offset: UInt64?
        public let compression: String
    }

    public struct Tensor: Decodable {
        public let name: String
        public let state_dict_name: String
        public let dtype: String
        public let shape: [Int]
        public let stride: [Int]
        public let storage_offset: Int
        public let storage_key: String
        public let storage_dtype: String
        public let storage_numel: Int
        public let storage_nbytes: Int
        public let location: String
        public let requires_grad: Bool
        public let is_parameter: Bool
        public let rebuild: String
        public let numel: Int
        public let sum: FactNumber?
        public let first_values: [FactNumber]?
        public let sha256: String
    }

    public struct DAConv: Decodable {
        public let module: String
        public let out_channels: Int
        public let in_per_group: Int
        public let kernel: [Int]
        public let groups: Int
        public let stride: [Int]
        public let padding: [Int]
        public let dilation: [Int]
        public let has_bias: Bool
        public let theta_shape: [Int]
        public let dtype: String
    }

    public let file: String
    public let torch_version: String
    public let format: String
    public let archive_prefix: String?
    public let records: [Record]?
    public let pickle_protocol: Int?
    public let byteorder: String?
    public let root_type: String
    public let top_level_keys: [String]?
    public let tensors: [Tensor]
    public let shared_storage_groups: [[String]]
    public let daconv: [DAConv]
    public let globals: [String]
}

/// A number or boolean as JSON gives it; complex values arrive as `[re, im]`.
public enum FactNumber: Decodable, Equatable {
    case number(Double)
    case bool(Bool)
    case pair(Double, Double)
    case text(String)

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let pair = try? container.decode([Double].self), pair.count == 2 {
            self = .pair(pair[0], pair[1])
        } else {
            self = .text(try container.decode(String.self))
        }
    }
}
