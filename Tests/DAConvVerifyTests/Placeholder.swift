import XCTest

final class DAConvVerifyTestsPlaceholder: XCTestCase {}
