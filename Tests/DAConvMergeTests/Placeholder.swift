import XCTest

final class DAConvMergeTestsPlaceholder: XCTestCase {}
