import XCTest

final class PickleMachineTestsPlaceholder: XCTestCase {}
