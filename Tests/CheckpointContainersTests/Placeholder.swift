import XCTest

final class CheckpointContainersTestsPlaceholder: XCTestCase {}
