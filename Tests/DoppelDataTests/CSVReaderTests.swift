import XCTest
@testable import DoppelData

final class CSVReaderTests: XCTestCase {
    func testQuotedFieldsWithDelimitersQuotesAndNewlines() throws {
        let doc = try parse("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"line1\nline2\"\n1,2,3\n")
        XCTAssertEqual(doc.rowCount, 2)
        XCTAssertEqual(doc.string(row: 0, column: 0), "x, y")
        XCTAssertEqual(doc.string(row: 0, column: 1), "say \"hi\"")
        XCTAssertEqual(doc.string(row: 0, column: 2), "line1\nline2")
        XCTAssertEqual(doc.rowLines, [2, 4])   // the second row starts on line 4
    }

    func testCRLFAndBOMAndBlankLines() throws {
        let doc = try parse("\u{FEFF}a,b\r\n1,2\r\n\r\n3,4\r\n")
        XCTAssertEqual(doc.header, ["a", "b"])
        XCTAssertEqual(doc.rowCount, 2)
        XCTAssertEqual(doc.string(row: 1, column: 1), "4")
    }

    func testDelimiterDetection() throws {
        XCTAssertEqual(try parse("a;b;c\n1;2;3\n").delimiter, UInt8(ascii: ";"))
        XCTAssertEqual(try parse("a\tb\n1\t2\n").delimiter, 0x09)
        XCTAssertEqual(try parse("\"a;x\",b\n1,2\n").delimiter, UInt8(ascii: ","))
        XCTAssertEqual(try parse("single\n1\n").delimiter, UInt8(ascii: ","))
    }

    func testMissingTokens() throws {
        for token in ["", "NA", "N/A", "NaN", "null", "NULL", "?", ".", "na", "nan"] {
            let ok = Array(token.utf8).withUnsafeBufferPointer { FieldParsing.isMissing($0) }
            XCTAssertTrue(ok, token)
        }
        for token in ["0", "None0", "no", "-", "NAB"] {
            let ok = Array(token.utf8).withUnsafeBufferPointer { FieldParsing.isMissing($0) }
            XCTAssertFalse(ok, token)
        }
    }

    func testNumberParsingIsExact() {
        func num(_ s: String) -> Double? { var d = 0; return Array(s.utf8).withUnsafeBufferPointer { FieldParsing.parseNumber($0, decimals: &d) } }
        for s in ["0.1", "2.3", "-14.5", "1718.0", "58.76522929500342", "0.0009999275", "1e-5", "-3.25E2", "+7", "123456789012345678901234"] {
            XCTAssertEqual(num(s), Double(s.hasPrefix("+") ? String(s.dropFirst()) : s), s)
        }
        for s in ["", "-", "1.2.3", "$11-$25k", "1e", "abc", "1,5"] { XCTAssertNil(num(s), s) }
        var d = 0
        _ = Array("12.340".utf8).withUnsafeBufferPointer { FieldParsing.parseNumber($0, decimals: &d) }
        XCTAssertEqual(d, 3)
    }

    func testRaggedRowNamesLine() {
        XCTAssertThrowsError(try parse("a,b\n1,2\n3\n")) { e in
            XCTAssertEqual(e as? DoppelError, .badInput(path: "test.csv", line: 3, column: nil, message: "row has 1 field, the header has 2"))
        }
    }

    func testUnterminatedQuote() {
        XCTAssertThrowsError(try parse("a,b\n1,\"open\n2,3\n")) { e in
            guard case let .badInput(_, line, _, message) = e as? DoppelError else { return XCTFail("\(e)") }
            XCTAssertEqual(line, 2); XCTAssertTrue(message.contains("unterminated"))
        }
    }

    func testInvalidUTF8NamesLine() {
        var bytes = Array("a,b\n1,2\n".utf8); bytes += [0x33, 0x2C, 0xFF, 0x0A]
        XCTAssertThrowsError(try CSVDocument(bytes: bytes, path: "bad.csv")) { e in
            guard case let .badInput(path, line, _, message) = e as? DoppelError else { return XCTFail("\(e)") }
            XCTAssertEqual(path, "bad.csv"); XCTAssertEqual(line, 3); XCTAssertTrue(message.contains("UTF-8"))
        }
        // Valid multi-byte UTF-8 passes.
        XCTAssertNoThrow(try parse("name,city\nJosé,Zürich\n"))
    }

    func testEmptyHeaderOnlyDuplicateAndEmptyNames() {
        XCTAssertThrowsError(try parse("")) { XCTAssertTrue("\($0)".contains("empty")) }
        XCTAssertThrowsError(try parse("\n\n")) { XCTAssertTrue("\($0)".contains("empty")) }
        XCTAssertThrowsError(try parse("a,b\n")) { XCTAssertTrue("\($0)".contains("no data rows")) }
        XCTAssertThrowsError(try parse("a,a\n1,2\n")) { e in
            XCTAssertEqual(e as? DoppelError, .badInput(path: "test.csv", line: 1, column: "a", message: "duplicate column name"))
        }
        XCTAssertThrowsError(try parse("a,,c\n1,2,3\n")) { XCTAssertTrue("\($0)".contains("column 2 of the header has no name")) }
    }

    func testMissingFile() {
        XCTAssertThrowsError(try CSVDocument(path: "/nonexistent/x.csv")) { e in
            XCTAssertEqual((e as? DoppelError)?.exitCode, 66)
        }
    }

    func testTrailingDelimiterMakesEmptyLastField() throws {
        let doc = try parse("a,b\n1,\n")
        XCTAssertEqual(doc.string(row: 0, column: 1), "")
    }
}
