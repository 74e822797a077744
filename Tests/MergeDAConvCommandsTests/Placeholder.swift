import XCTest

final class MergeDAConvCommandsTestsPlaceholder: XCTestCase {}
