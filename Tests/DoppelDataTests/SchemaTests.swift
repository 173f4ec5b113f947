import XCTest
@testable import DoppelData

final class SchemaInferenceTests: XCTestCase {
    let sample = """
    patient_id,age,sex,smoker,stage,bili,visit,name,notes
    1001,63,Male,yes,1,1.25,2020-01-15,Ann,
    1002,67,Female,no,2,0.5,2020-02-01,Bob,
    1003,NA,Male,no,3,,2020-03-10,Cyd,
    1004,41,Female,yes,2,3.75,2021-12-31,Dee,
    1005,55,Male,no,1,2.0,2019-07-04,Eve,
    1006,48,Female,no,3,1.0,2020-05-05,Fay,
    1007,72,Male,yes,1,0.75,2020-06-06,Gus,
    1008,39,Female,no,2,1.5,2020-07-07,Hal,
    1009,58,Male,no,3,2.5,2020-08-08,Ivy,
    1010,61,Female,yes,2,0.25,2020-09-09,Jon,

    """

    func testKinds() throws {
        let schema = SchemaInference.infer(try parse(sample))
        func kind(_ n: String) -> ColumnKind? { schema[n]?.kind }
        XCTAssertEqual(kind("patient_id"), .identifier)
        XCTAssertEqual(kind("age"), .numeric)
        XCTAssertEqual(schema["age"]?.integer, true)
        XCTAssertEqual(schema["age"]?.min, 39); XCTAssertEqual(schema["age"]?.max, 72)
        XCTAssertEqual(schema["age"]?.missingRate ?? 0, 0.1, accuracy: 1e-12)
        XCTAssertEqual(kind("sex"), .categorical)
        XCTAssertEqual(schema["sex"]?.categories, ["Female", "Male"])
        XCTAssertEqual(kind("smoker"), .categorical); XCTAssertEqual(schema["smoker"]?.boolean, true)
        XCTAssertEqual(kind("stage"), .categorical)          // whole numbers with ≤ 5 levels are codes
        XCTAssertEqual(kind("bili"), .numeric); XCTAssertEqual(schema["bili"]?.decimals, 2)
        XCTAssertEqual(kind("visit"), .datetime); XCTAssertEqual(schema["visit"]?.format?.pattern, "%Y-%m-%d")
        XCTAssertEqual(kind("name"), .identifier); XCTAssertEqual(schema["name"]?.identifierType, "name")
        XCTAssertEqual(kind("notes"), .categorical); XCTAssertEqual(schema["notes"]?.categories, [])
    }

    func testDateOrders() throws {
        let dmy = SchemaInference.infer(try parse("d\n17-08-1984\n25-04-1985\n"))
        XCTAssertEqual(dmy["d"]?.format?.pattern, "%d-%m-%Y")
        let mdy = SchemaInference.infer(try parse("d\n08/17/1984\n04/25/1985\n"))
        XCTAssertEqual(mdy["d"]?.format?.pattern, "%m/%d/%Y")
        let ambiguous = SchemaInference.infer(try parse("d\n01/02/2020\n03/04/2020\n"))
        XCTAssertEqual(ambiguous["d"]?.kind, .datetime)
        XCTAssertTrue(ambiguous["d"]?.note?.contains("ambiguous") ?? false)
        let iso = SchemaInference.infer(try parse("t\n2020-01-15T10:30:00Z\n2020-01-16T11:00:00+02:00\n"))
        XCTAssertEqual(iso["t"]?.format?.pattern, "%Y-%m-%dT%H:%M:%S%z")
        // Not a date: 31 February.
        XCTAssertEqual(SchemaInference.infer(try parse("d\n2020-02-31\n2020-01-01\n"))["d"]?.kind, .categorical)
    }

    func testDateFormatRoundTrip() {
        for (pattern, text) in [("%Y-%m-%d", "1984-08-17"), ("%d-%m-%Y", "29-02-2000"), ("%m/%d/%Y %H:%M:%S", "12/31/1999 23:59:58"),
                                ("%Y-%m-%dT%H:%M:%SZ", "1969-07-20T20:17:40Z")] {
            let f = DateTimeFormat(pattern)!
            let v = Array(text.utf8).withUnsafeBufferPointer { f.parse($0) }
            XCTAssertNotNil(v, text)
            XCTAssertEqual(f.format(v!), text)
        }
        let f: DateTimeFormat = "%Y-%m-%dT%H:%M:%S%z"
        let a = Array("2020-01-01T02:00:00+02:00".utf8).withUnsafeBufferPointer { f.parse($0) }
        let b = Array("2020-01-01T00:00:00Z".utf8).withUnsafeBufferPointer { f.parse($0) }
        XCTAssertEqual(a, b)
        XCTAssertEqual(b, 1577836800)
    }

    func testFloatNoiseDoesNotInflateDecimals() throws {
        XCTAssertEqual(SchemaInference.significantDecimals(6.300000000000001, upTo: 15), 1)
        XCTAssertEqual(SchemaInference.significantDecimals(0.262939453, upTo: 9), 9)
        let schema = SchemaInference.infer(try parse("t\n6.300000000000001\n4.4\n0.1\n"))
        XCTAssertEqual(schema["t"]?.decimals, 1)
    }

    /// Numeric columns do not claim a distinct count (counting stops once they cannot be codes); a
    /// code column does. Messages get the right article.
    func testDistinctCountsAndArticles() throws {
        let schema = SchemaInference.infer(try parse("x,c\n" + (0..<50).map { "\($0 * 3),\($0 % 3)" }.joined(separator: "\n") + "\n"))
        XCTAssertEqual(schema["x"]?.kind, .numeric); XCTAssertNil(schema["x"]?.distinct)
        XCTAssertEqual(schema["c"]?.kind, .categorical); XCTAssertEqual(schema["c"]?.distinct, 3)
        XCTAssertEqual(ColumnKind.identifier.withArticle, "an identifier"); XCTAssertEqual(ColumnKind.numeric.withArticle, "a numeric")
    }

    /// A few values with many decimals (thyroid0387's FTI: 3 of 8,364) must not give every synthetic value
    /// as many: the decimals cover 99% of the values; with fewer than 100 values, all of them.
    func testRareLongDecimalsDoNotSetThePrecision() throws {
        let common = (0..<300).map { String(format: "%.1f", 50 + Double($0) / 10) }
        let schema = SchemaInference.infer(try parse("t\n" + (common + ["101.123456", "99.5"]).joined(separator: "\n") + "\n"))
        XCTAssertEqual(schema["t"]?.decimals, 1)
        XCTAssertEqual(schema["t"]?.note?.contains("more decimals than the 1 kept (up to 6)"), true)
        // Four values of 300 (more than 1%) with two decimals still count.
        let some = common.dropLast(4) + ["1.25", "1.75", "2.05", "3.15"]
        XCTAssertEqual(SchemaInference.infer(try parse("t\n" + some.joined(separator: "\n") + "\n"))["t"]?.decimals, 2)
        XCTAssertEqual(SchemaInference.infer(try parse("t\n1.5\n2.5\n3.123\n"))["t"]?.decimals, 3)
        // Trailing zeros add no precision: whole numbers written as "97.0" keep 0 decimals (no synthetic
        // fractions), "0.300" counts as 1.
        let whole = SchemaInference.infer(try parse("hr\n97.0\n102.0\n88.0\n"))["hr"]
        XCTAssertEqual(whole?.decimals, 0); XCTAssertEqual(whole?.integer, false)
        XCTAssertEqual(SchemaInference.infer(try parse("t\n0.300\n1.250\n"))["t"]?.decimals, 2)
    }

    func testNameHeuristics() {
        XCTAssertEqual(NameHeuristics.classify("fake_first_name"), .personName)
        XCTAssertEqual(NameHeuristics.classify("LastName"), .personName)
        XCTAssertEqual(NameHeuristics.classify("clinic_name"), .other)
        XCTAssertEqual(NameHeuristics.classify("subject_id"), .recordID)
        XCTAssertEqual(NameHeuristics.classify("patientID"), .recordID)
        XCTAssertEqual(NameHeuristics.classify("idle_time"), .other)
        XCTAssertEqual(NameHeuristics.classify("email"), .contact)
    }

    /// Columns that hold a patient's name or number over repeated visits, under names a hospital export
    /// uses, are identifiers: never modelled, so never copied into synthetic rows.
    func testRepeatedVisitIdentifiersByName() throws {
        var lines = ["patient,pid,patient_id,tel,NHS number,ion,sbp"]
        for i in 0..<360 {
            let p = i % 120
            lines.append("Pat\(["ricia", "rick", "ty"][p % 3]) Name\(p),\(3_000_000 + p * 7),\(1000 + p).0,07\(400_000_000 + p * 13),\(4_000_000_000 + p),\(["Na", "K", "Cl", "Ca"][i % 4]),\(100 + i % 60)")
        }
        let schema = SchemaInference.infer(try parse(lines.joined(separator: "\n") + "\n"))
        for name in ["patient", "pid", "patient_id", "tel", "NHS number"] { XCTAssertEqual(schema[name]?.kind, .identifier, name) }
        // `Na` (sodium) is a value, not a missing token
        XCTAssertEqual(schema["ion"]?.categories, ["Ca", "Cl", "K", "Na"])
        XCTAssertEqual(schema["ion"]?.missingRate, 0)
        XCTAssertEqual(NameHeuristics.classify("Versichertennummer"), .recordID)
        XCTAssertEqual(NameHeuristics.classify("case_no"), .recordID)
        XCTAssertEqual(NameHeuristics.classify("visit_no"), .recordID)
        XCTAssertEqual(NameHeuristics.classify("patient_age"), .other)
        XCTAssertEqual(NameHeuristics.classify("number_of_visits"), .other)
        // a few visit numbers over many rows stay a feature
        let visits = SchemaInference.infer(try parse("visit_no,x\n" + (0..<300).map { "\($0 % 4 + 1),\($0)" }.joined(separator: "\n") + "\n"))
        XCTAssertNotEqual(visits["visit_no"]?.kind, .identifier)
    }

    /// Missing tokens are matched in one case each; numbers beyond ±1e100 are not read as numbers; an
    /// error quotes a value only when it cannot identify anyone, else gives its shape.
    func testMissingTokensHugeNumbersAndQuotedValues() throws {
        func missing(_ s: String) -> Bool { Array(s.utf8).withUnsafeBufferPointer { FieldParsing.isMissing($0) } }
        for s in ["", "NA", "na", "N/A", "n/a", "NaN", "nan", "NAN", "null", "NULL", "Null", "?", "."] { XCTAssertTrue(missing(s), s) }
        for s in ["Na", "nA", "Nan", "nAn", "N/a", "nULL", "none"] { XCTAssertFalse(missing(s), s) }
        func number(_ s: String) -> Double? { var d = 0; return Array(s.utf8).withUnsafeBufferPointer { FieldParsing.parseNumber($0, decimals: &d) } }
        XCTAssertEqual(number("1e100"), 1e100); XCTAssertEqual(number("-2.5e-300"), -2.5e-300)
        for s in ["1e101", "-1e300", "1e400", "1.7976931348623157e308"] { XCTAssertNil(number(s), s) }
        func quoted(_ s: String) -> String { Array(s.utf8).withUnsafeBufferPointer { FieldParsing.quoted($0) } }
        XCTAssertEqual(quoted("abc"), "'abc'"); XCTAssertEqual(quoted("<0.5"), "'<0.5'"); XCTAssertEqual(quoted("2021-02-30"), "a value shaped '9999-99-99'")
        XCTAssertEqual(quoted("T7734921"), "a value shaped 'A9999999'")
        XCTAssertEqual(quoted("Jane Doe-Smith"), "a value shaped 'Aaaa Aaa-Aaaaa'")
        XCTAssertEqual(quoted("a@b.org"), "a value shaped 'a@a.aaa'")
        let doc = try parse("lab,x\n" + (0..<10).map { "\($0),1" }.joined(separator: "\n") + "\n1e400,1\n")
        var schema = SchemaInference.infer(doc)
        schema.columns[0] = ColumnSpec(name: "lab", kind: .numeric)
        XCTAssertThrowsError(try Table(document: doc, schema: schema)) { e in
            XCTAssertTrue("\(e)".contains("test.csv:12 (column 'lab'): '1e400' is larger than 1e+100 in magnitude"), "\(e)")
        }
    }

    /// Numbers with a decimal comma are not read as numbers, and the note says why (and fit warns).
    func testDecimalCommaIsExplained() throws {
        let schema = SchemaInference.infer(try parse("lab;x\n" + (0..<80).map { "\($0 % 9),\($0 % 7 + 1);\($0)" }.joined(separator: "\n") + "\n"))
        let lab = try XCTUnwrap(schema["lab"])
        XCTAssertNotEqual(lab.kind, .numeric)
        XCTAssertTrue(lab.note?.contains("written with a decimal comma (4,48)") == true, lab.note ?? "")
        XCTAssertTrue(SchemaInference.isMisread(lab))
        func comma(_ s: String) -> Bool { Array(s.utf8).withUnsafeBufferPointer { SchemaInference.hasDecimalComma($0) } }
        XCTAssertTrue(comma("4,48")); XCTAssertTrue(comma("-0,5")); XCTAssertFalse(comma("1,234")); XCTAssertFalse(comma("4.48")); XCTAssertFalse(comma("a,b"))
        func sign(_ s: String) -> Bool { Array(s.utf8).withUnsafeBufferPointer { SchemaInference.hasUnitSign($0) } }
        for s in ["$8585.66", "93%", "-4.5%", "€12", "£3,400"] { XCTAssertTrue(sign(s), s) }
        for s in ["$", "%", "93", "abc%", "$x"] { XCTAssertFalse(sign(s), s) }
        let cost = try XCTUnwrap(SchemaInference.infer(try parse("cost,x\n" + (0..<80).map { "$\(1000 + $0 * 37).50,\($0)" }.joined(separator: "\n") + "\n"))["cost"])
        XCTAssertTrue(cost.note?.hasPrefix("100% of values are numbers written with a currency or percent sign") == true, cost.note ?? "")
    }

    /// A category written in two Unicode forms (composed `é`, or `e` + accent) is one category; whole
    /// numbers of 16 digits or more are codes, not quantities a Double would round.
    func testUnicodeFormsAndLongDigitStrings() throws {
        let composed = "Montr\u{E9}al", decomposed = "Montre\u{301}al"
        var lines = ["city,big,x"]
        for i in 0..<60 { lines.append("\(i % 3 == 0 ? composed : i % 3 == 1 ? decomposed : "Paris"),\(8_274_998_366_656_658_508 - UInt64(i) * 7_777_777),\(i)") }
        let doc = try parse(lines.joined(separator: "\n") + "\n")
        let schema = SchemaInference.infer(doc)
        XCTAssertEqual(schema["city"]?.categories?.count, 2)
        XCTAssertNotEqual(schema["big"]?.kind, .numeric)
        let t = try Table(document: doc, schema: schema)
        guard case .categorical(let codes, let levels) = t.column(named: "city")!.values else { return XCTFail() }
        XCTAssertEqual(levels.count, 2)
        XCTAssertEqual(codes[0], codes[1])
    }

    /// Dates in several layouts are not read as dates; the note says so and names the layouts.
    func testMixedDateLayoutsAreExplained() throws {
        var lines = ["adm,x"]
        for i in 0..<120 {
            let (m, d) = (i % 12 + 1, i % 28 + 1)
            let date = i % 2 == 0 ? String(format: "2021-%02d-%02d", m, d) : String(format: "%02d/%02d/2021", m, d)
            lines.append(date + ",\(i)")
        }
        let adm = try XCTUnwrap(SchemaInference.infer(try parse(lines.joined(separator: "\n") + "\n"))["adm"])
        XCTAssertNotEqual(adm.kind, .datetime)
        XCTAssertTrue(adm.note?.hasPrefix("100% of values are dates, but in several layouts (%Y-%m-%d, %m/%d/%Y") == true, adm.note ?? "")
        XCTAssertTrue(SchemaInference.isMisread(adm))
    }

    /// Values written with rounding noise (9.299999, 8.800001) count with the decimals of the value they
    /// stand for, so a few of them do not set the column's precision; real six-decimal values still do.
    func testRoundingNoiseDoesNotSetThePrecision() throws {
        func noise(_ s: String, _ d: Int) -> Int { Array(s.utf8).withUnsafeBufferPointer { SchemaInference.withoutRoundingNoise($0, decimals: d) } }
        XCTAssertEqual(noise("9.299999", 6), 1); XCTAssertEqual(noise("8.800001", 6), 1); XCTAssertEqual(noise("0.999999", 6), 0)
        XCTAssertEqual(noise("1.000001", 6), 0); XCTAssertEqual(noise("3.141593", 6), 6); XCTAssertEqual(noise("2.123999", 6), 6)
        let lines = ["tbg"] + (0..<100).map { i in i < 3 ? "9.299999" : String(format: "%.1f", 10 + Double(i % 37) / 10) }
        XCTAssertEqual(SchemaInference.infer(try parse(lines.joined(separator: "\n") + "\n"))["tbg"]?.decimals, 1)
    }

    func testLowCardinalityIdNameIsNotAnIdentifier() throws {
        let schema = SchemaInference.infer(try parse("test_id,x\ncovid,1\ncovid,2\ncovid,3\nflu,4\ncovid,5\ncovid,6\ncovid,7\ncovid,8\ncovid,9\ncovid,10\n"))
        XCTAssertEqual(schema["test_id"]?.kind, .categorical)
    }

    func testSchemaJSONRoundTripAndValidation() throws {
        let doc = try parse(sample)
        let schema = SchemaInference.infer(doc)
        let data = try schema.jsonData()
        let back = try JSONDecoder().decode(Schema.self, from: data)
        XCTAssertEqual(back.columns.map(\.kind), schema.columns.map(\.kind))
        XCTAssertEqual(back["visit"]?.min, schema["visit"]?.min)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("\"min\" : \"2019-07-04\""))
        // An edited schema missing a column, or naming one not in the file, is an error.
        var missing = schema; missing.columns.removeLast()
        XCTAssertThrowsError(try Table(document: doc, schema: missing)) { XCTAssertTrue("\($0)".contains("'notes' of test.csv is not in the schema")) }
        var extra = schema; extra.columns.append(ColumnSpec(name: "ghost", kind: .numeric))
        XCTAssertThrowsError(try Table(document: doc, schema: extra)) { XCTAssertTrue("\($0)".contains("'ghost' is in the schema but not in test.csv")) }
        let path = try temporaryFile("{\"doppelSchema\": 9, \"columns\": []}", name: "s.json")
        XCTAssertThrowsError(try Schema.read(from: path)) { XCTAssertTrue("\($0)".contains("newer")) }
        let broken = try temporaryFile("{\"columns\": [{\"name\": \"a\"}]}", name: "s.json")
        XCTAssertThrowsError(try Schema.read(from: broken)) { XCTAssertTrue("\($0)".contains("missing key 'kind'")) }
    }

    func testValueThatBreaksDeclaredKindNamesLineColumnValue() throws {
        let doc = try parse("a,b\n1,x\n2,oops\n")
        var schema = SchemaInference.infer(doc)
        schema.columns[1].kind = .numeric; schema.columns[1].categories = nil
        XCTAssertThrowsError(try Table(document: doc, schema: schema)) { e in
            XCTAssertEqual(e as? DoppelError, .badInput(path: "test.csv", line: 2, column: "b", message: "'x' is not a number"))
        }
        // Category outside the declared list.
        var cats = SchemaInference.infer(doc); cats.columns[1].categories = ["x"]
        XCTAssertThrowsError(try Table(document: doc, schema: cats)) { XCTAssertTrue("\($0)".contains("test.csv:3 (column 'b'): 'oops' is not one of")) }
    }

    /// One typo in a column of 300 numbers (or dates) keeps the column's kind: inference notes the line,
    /// and reading the table stops at it with line, column and value — instead of turning the column into
    /// categories read from a partial list of values (which failed on a valid value of another line).
    func testAStrayValueKeepsTheKindAndIsNamedWhereItIs() throws {
        var lines = ["age,visit,flag,code"]
        for i in 0..<300 {
            let age = i == 150 ? "abc" : String(20 + i % 60)
            let visit = i == 200 ? "31-02-1984" : String(format: "%02d-%02d-19%02d", 1 + i % 28, 1 + i % 12, 80 + i % 10)
            lines.append("\(age),\(visit),\(i == 7 ? "x" : String(i % 2)),\(i < 10 ? "n\(i)" : String(1000 + i))")
        }
        let doc = try parse(lines.joined(separator: "\n") + "\n")
        let schema = SchemaInference.infer(doc)
        let age = schema.columns[0], visit = schema.columns[1]
        XCTAssertEqual(age.kind, .numeric); XCTAssertEqual(age.integer, true)
        XCTAssertEqual(age.note, "1 value is not a number (first on line 152): fix or blank it; fit and split stop there")
        XCTAssertEqual(visit.kind, .datetime); XCTAssertEqual(visit.format?.pattern, "%d-%m-%Y")
        XCTAssertTrue(visit.note?.hasPrefix("1 value is not a date in %d-%m-%Y (first on line 202)") == true, visit.note ?? "")
        // A stray among a handful of codes is left out of them, so reading stops there too.
        XCTAssertEqual(schema.columns[2].kind, .categorical); XCTAssertEqual(schema.columns[2].categories, ["0", "1"])
        XCTAssertTrue(schema.columns[2].note?.hasPrefix("1 value is not a number (first on line 9)") == true, schema.columns[2].note ?? "")
        // Ten non-numbers in 300 are more than strays: not numeric, and every value is counted.
        XCTAssertNotEqual(schema.columns[3].kind, .numeric)
        XCTAssertEqual(schema.columns[3].distinct ?? 300, 300)
        XCTAssertThrowsError(try Table(document: doc, schema: schema)) { e in
            XCTAssertEqual(e as? DoppelError, .badInput(path: "test.csv", line: 152, column: "age", message: "'abc' is not a number"))
        }
        // A column named like an identifier never reads as numbers with strays: its values stay out of
        // error messages (it is an identifier).
        let ids = try parse((["patient_id"] + (0..<300).map { $0 == 40 ? "MRN4471" : String(9000 + $0) }).joined(separator: "\n") + "\n")
        XCTAssertEqual(SchemaInference.infer(ids).columns[0].kind, .identifier)
        // Mostly numbers with too many others to be strays (censored lab values): not numeric, and the
        // note says why and what to do.
        var labLines = ["crp"]
        for i in 0..<500 {
            let value: Double = 0.5 + Double(i * 37 % 800) / 10
            labLines.append(i % 10 == 3 ? "<0.5" : String(format: "%.1f", value))
        }
        let lab = try parse(labLines.joined(separator: "\n") + "\n")
        let crp = SchemaInference.infer(lab).columns[0]
        XCTAssertNotEqual(crp.kind, .numeric)
        XCTAssertTrue(crp.note?.hasPrefix("90% of values are numbers and 50 values are not (the first on line 5)") == true, crp.note ?? "")
        // Under 100 values nothing is a stray: one word makes the column categorical, all values counted.
        let small = try parse((["n"] + (0..<50).map { $0 == 30 ? "abc" : String($0) }).joined(separator: "\n") + "\n")
        let n = SchemaInference.infer(small).columns[0]
        XCTAssertNotEqual(n.kind, .numeric)
        XCTAssertNoThrow(try Table(document: small, schema: SchemaInference.infer(small)))
        // Every value distinct makes it an identifier code; the note still says it is the word that did it,
        // and `fit` warns about such columns (the last stray rule), not about numbers with a stray (age).
        XCTAssertEqual(n.kind, .identifier)
        XCTAssertEqual(n.note, "98% of values are numbers and 1 value is not (the first on line 32): make them numbers or blank them to model the column as numbers (now treated as an identifier)")
        XCTAssertTrue(SchemaInference.isMisread(n)); XCTAssertTrue(SchemaInference.isMisread(crp))
        XCTAssertFalse(SchemaInference.isMisread(age))
    }

    func testIdentifierValuesNeverAppearInErrors() throws {
        let doc = try parse("mrn,b\nSECRET123,1\n")
        var schema = SchemaInference.infer(doc)
        schema.columns[0] = ColumnSpec(name: "mrn", kind: .identifier)
        schema.columns[1].kind = .datetime; schema.columns[1].format = DateTimeFormat("%Y-%m-%d"); schema.columns[1].categories = nil
        XCTAssertThrowsError(try Table(document: doc, schema: schema)) { XCTAssertFalse("\($0)".contains("SECRET")) }
        schema.columns[0].kind = .numeric; schema.columns[1].kind = .text
        XCTAssertThrowsError(try Table(document: doc, schema: schema)) { e in
            XCTAssertTrue("\(e)".contains("'SECRET123' is not a number"))   // not an identifier column now
        }
    }

    func testWriterRoundTrip() throws {
        let text = "id,x,label,when,note\n1,1.50,\"a, b\",2020-01-01,\"he said \"\"no\"\"\"\n2,,plain,,\n3,-2.25,x,2021-06-30,ok\n"
        let doc = try parse(text)
        let table = try Table(document: doc, schema: SchemaInference.infer(doc))
        let path = try temporaryFile("", name: "out.csv")
        let w = try CSVWriter(path: path); try table.writeCSV(to: w); try w.finish()
        let back = try Table.read(csv: path, schema: table.schema)
        XCTAssertEqual(back.columns, table.columns)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), text)
    }

    func testNumberFormatting() {
        func f(_ v: Double, _ d: Int?) -> String { var o: [UInt8] = []; CSVWriter.appendNumber(v, decimals: d, to: &o); return String(decoding: o, as: UTF8.self) }
        XCTAssertEqual(f(2.345, 2), "2.35"); XCTAssertEqual(f(-0.05, 1), "-0.1"); XCTAssertEqual(f(7, 0), "7")
        XCTAssertEqual(f(0.5, 3), "0.500"); XCTAssertEqual(f(-3, 0), "-3"); XCTAssertEqual(f(1e20, 2), "1e+20")
        XCTAssertEqual(f(58.76522929500342, nil), "58.76522929500342")
    }

    /// Numbers keep the file's style: at least the fewest decimals it writes, no trailing zeros beyond.
    func testWrittenDecimalsFollowTheInput() throws {
        func f(_ v: Double, _ d: Int?, _ w: Int?) -> String { var o: [UInt8] = []; CSVWriter.appendValue(v, decimals: d, written: w, to: &o); return String(decoding: o, as: UTF8.self) }
        XCTAssertEqual(f(45, 2, 1), "45.0"); XCTAssertEqual(f(33.45, 2, 1), "33.45"); XCTAssertEqual(f(33.4, 2, 1), "33.4")
        XCTAssertEqual(f(97, 0, 1), "97.0"); XCTAssertEqual(f(2, 2, 0), "2"); XCTAssertEqual(f(1.5, 2, 0), "1.5")
        XCTAssertEqual(f(-0.5, 2, 1), "-0.5"); XCTAssertEqual(f(45, 2, nil), "45.00"); XCTAssertEqual(f(45, 2, 2), "45.00")
        XCTAssertEqual(f(26.27789185489391, 2, 1), "26.27789185489391")   // a real value the decimals cannot write: in full
        // More than 9 decimals (pbc's age, support2's surv2m): whole values keep their ".0" too.
        XCTAssertEqual(f(64, 11, 1), "64.0"); XCTAssertEqual(f(0, 10, 1), "0.0"); XCTAssertEqual(f(0.6839599609, 10, 1), "0.6839599609")
        XCTAssertEqual(f(1e20, 2, 1), "1e+20")
        // Inference: ct_result-like (45.0 mostly, some two-decimal values) and hrt-like (whole numbers written 97.0).
        var lines = ["ct,hrt,plain"]
        for i in 0..<200 { lines.append("\(i % 10 == 0 ? "33.\(41 + i % 9)" : "45.0"),\(60 + i % 50).0,\(i % 7).25") }
        let doc = try parse(lines.joined(separator: "\n") + "\n")
        let schema = SchemaInference.infer(doc)
        XCTAssertEqual(schema["ct"]?.decimals, 2); XCTAssertEqual(schema["ct"]?.writtenDecimals, 1)
        XCTAssertEqual(schema["hrt"]?.decimals, 0); XCTAssertEqual(schema["hrt"]?.writtenDecimals, 1)
        XCTAssertEqual(schema["plain"]?.decimals, 2); XCTAssertNil(schema["plain"]?.writtenDecimals)
        // A table written back reads as the input did.
        let table = try Table(document: doc, schema: schema)
        let text = String(decoding: table.csvRowBytes(0..<table.rowCount), as: UTF8.self)
        XCTAssertEqual(String(decoding: schema.csvHeaderBytes(), as: UTF8.self) + text, lines.joined(separator: "\n") + "\n")
        var bad = schema; bad.columns[0].writtenDecimals = 30
        XCTAssertThrowsError(try bad.validate())
    }

    /// Tables keep real values with more digits than the column's decimals: 101.123456 in a 1-decimal
    /// column is written in full, a rounded value with the column's decimals.
    func testTablesWriteRealValuesUnrounded() throws {
        func g(_ v: Double, _ d: Int?) -> String { var o: [UInt8] = []; CSVWriter.appendValue(v, decimals: d, to: &o); return String(decoding: o, as: UTF8.self) }
        XCTAssertEqual(g(101.123456, 1), "101.123456"); XCTAssertEqual(g(137.2, 1), "137.2"); XCTAssertEqual(g(137, 1), "137.0")
        XCTAssertEqual(g(0.1 + 0.2, 1), "0.3"); XCTAssertEqual(g(2.5, 0), "2.5"); XCTAssertEqual(g(-4, 0), "-4")
        let text = "t\n" + ((0..<300).map { String(format: "%.1f", 50 + Double($0) / 10) } + ["101.123456"]).joined(separator: "\n") + "\n"
        let table = try Table.read(csv: try temporaryFile(text, name: "t.csv"))
        XCTAssertEqual(table.schema["t"]?.decimals, 1)
        let path = try temporaryFile("", name: "out.csv")
        let w = try CSVWriter(path: path); try table.writeCSV(to: w); try w.finish()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), text)
    }

    func testAtomicWriterLeavesNothingWhenAbandoned() throws {
        let path = try temporaryFile("", name: "x.csv")
        try FileManager.default.removeItem(atPath: path)
        let w = try CSVWriter(path: path); try w.write(Array("a\n".utf8)); w.abandon()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        let dir = (path as NSString).deletingLastPathComponent
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("partial") }, [])
        XCTAssertThrowsError(try CSVWriter(path: "/nonexistent-dir/out.csv")) { XCTAssertEqual(($0 as? DoppelError)?.exitCode, 73) }
    }

    func testEmbeddedHeartKinds() throws {
        let schema = SchemaInference.infer(try CSVDocument(path: embeddedHeart()))
        XCTAssertEqual(schema["id"]?.kind, .identifier)
        XCTAssertEqual(schema["age"]?.kind, .numeric)
        XCTAssertEqual(schema["sex"]?.kind, .categorical)
        XCTAssertEqual(schema["fbs"]?.boolean, true)
        XCTAssertEqual(schema["oldpeak"]?.decimals, 1)
        XCTAssertEqual(schema["num"]?.kind, .categorical)
    }

    func testSharedDatasetsInferSensibly() throws {
        // Needs ../shared/data (present in CI); skipped on a fresh clone without it.
        guard let covid = sharedData("covid_testing_chop.csv"), let gbsg = sharedData("gbsg_lymph_node_dates.csv"),
              let thyroid = sharedData("thyroid0387.csv"), let support = sharedData("support2.csv") else {
            throw XCTSkip("../shared/data not present")
        }
        let c = SchemaInference.infer(try CSVDocument(path: covid))
        XCTAssertEqual(c["subject_id"]?.kind, .identifier)
        XCTAssertEqual(c["fake_first_name"]?.kind, .identifier)
        XCTAssertEqual(c["fake_last_name"]?.kind, .identifier)
        XCTAssertEqual(c["clinic_name"]?.kind, .categorical)
        XCTAssertEqual(c["test_id"]?.kind, .categorical)
        let g = SchemaInference.infer(try CSVDocument(path: gbsg))
        XCTAssertEqual(g["diagdateb"]?.format?.pattern, "%d-%m-%Y")
        XCTAssertEqual(g["deathdate"]?.kind, .datetime)
        let t = SchemaInference.infer(try CSVDocument(path: thyroid))
        XCTAssertEqual(t["patient_id"]?.kind, .identifier)
        XCTAssertEqual(t["on_thyroxine"]?.boolean, true)
        XCTAssertEqual(t["TSH"]?.kind, .numeric)
        let s = SchemaInference.infer(try CSVDocument(path: support))
        XCTAssertEqual(s["income"]?.kind, .categorical)
        XCTAssertEqual(s["charges"]?.kind, .numeric)
        XCTAssertEqual(s["age"]?.kind, .numeric)
        for path in [covid, gbsg, thyroid, support] { XCTAssertNoThrow(try Table.read(csv: path)) }
    }
}
