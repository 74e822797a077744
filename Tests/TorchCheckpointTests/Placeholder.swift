import XCTest

final class TorchCheckpointTestsPlaceholder: XCTestCase {}
