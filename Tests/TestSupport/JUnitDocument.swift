import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A JUnit file parsed with a real XML parser, to prove what CI systems will read.
public struct JUnitDocument {
    public private(set) var testCases: [String] = []
    public private(set) var failures: [String] = []
    public private(set) var suiteAttributes: [String: String] = [:]

    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ xml: String) throws {
        let delegate = Collector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw Malformed(description: parser.parserError.map { "\($0)" } ?? "XML does not parse")
        }
        testCases = delegate.testCases
        failures = delegate.failures
        suiteAttributes = delegate.suiteAttributes
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var testCases: [String] = []
        var failures: [String] = []
        var suiteAttributes: [String: String] = [:]

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            switch name {
            case "testsuite": suiteAttributes = attributes
            case "testcase": testCases.append(attributes["name"] ?? "")
            case "failure": failures.append(testCases.last ?? "")
            default: break
            }
        }
    }
}
