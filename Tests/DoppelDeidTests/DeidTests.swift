import XCTest
import Foundation
import DoppelData
@testable import DoppelDeid

final class DeidTests: XCTestCase {
    var dir: URL!
    let keyHex = "3f9a1c7e5b2d8f40a6e1c3b5d7f90e2a4c6b8d0f1e3a5c7b9d2f4e6a8c0b1d3e"

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-deid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    func write(_ name: String, _ text: String) throws -> String { try text.write(toFile: path(name), atomically: true, encoding: .utf8); return path(name) }
    func key(_ hex: String? = nil) throws -> DeidKey { try DeidKey(material: Array((hex ?? keyHex).utf8)) }
    func rows(_ p: String) throws -> (header: [String], rows: [[String]]) {
        let doc = try CSVDocument(path: p)
        return (doc.header, (0..<doc.rowCount).map { i in (0..<doc.columnCount).map { doc.string(row: i, column: $0) } })
    }

    func testKeysMissingShortOrWeakAreErrors() throws {
        XCTAssertThrowsError(try DeidKey(file: path("nope.key"))) { e in XCTAssertEqual((e as? DoppelError)?.exitCode, 66) }
        XCTAssertThrowsError(try DeidKey(material: Array("short-key".utf8))) { e in
            XCTAssertTrue("\(e)".contains("too short"), "\(e)")
        }
        XCTAssertThrowsError(try DeidKey(material: [UInt8](repeating: 65, count: 64))) { e in XCTAssertTrue("\(e)".contains("too weak"), "\(e)") }
        XCTAssertThrowsError(try DeidKey(material: Array(String(repeating: "ab", count: 40).utf8))) { e in XCTAssertTrue("\(e)".contains("weak"), "\(e)") }
        let generated = DeidKey.generateHex()
        XCTAssertEqual(generated.count, 64)
        XCTAssertNoThrow(try DeidKey(material: Array(generated.utf8)))
        XCTAssertNotEqual(try DeidKey(material: Array(generated.utf8)).fingerprint, try key().fingerprint)
    }

    func testFormatPreservingCodesAreOneToOneAndKeyed() throws {
        let p = Pseudonyms(key: try key())
        var seen = [String: String]()
        for i in 0..<20_000 {
            let f = String(decoding: p.code(Array(String(i).utf8), domain: "medical-record"), as: UTF8.self)
            XCTAssertNil(seen[f], "two record numbers share the pseudonym \(f)")
            XCTAssertTrue(f.allSatisfy(\.isNumber) && f.count == 8 && f.first != "0", f)
            seen[f] = String(i)
        }
        let mrn = String(decoding: p.code(Array("MRN0012345".utf8), domain: "medical-record"), as: UTF8.self)
        XCTAssertTrue(mrn.hasPrefix("MRN") && mrn.dropFirst(3).allSatisfy(\.isNumber) && mrn != "MRN0012345", mrn)
        let mixed = String(decoding: p.code(Array("K7Q-29XZ".utf8), domain: "other-id"), as: UTF8.self)
        XCTAssertEqual(mixed.filter { $0 == "-" }.count, 1, mixed)
        let other = Pseudonyms(key: try key(String(keyHex.reversed())))
        XCTAssertNotEqual(other.code(Array("1412".utf8), domain: "medical-record"), p.code(Array("1412".utf8), domain: "medical-record"))
    }

    func testFakesUseReservedRangesThatCannotBeReal() throws {
        let p = Pseudonyms(key: try key())
        for v in ["(617) 555-1234 x12", "617.222.3333", "+1 617 222 3333"] {
            let f = String(decoding: p.phone(Array(v.utf8)), as: UTF8.self)
            let d = f.filter(\.isNumber)
            XCTAssertTrue(d.contains("55501"), "\(v) → \(f)")
            XCTAssertEqual(f.filter { !$0.isNumber }, v.filter { !$0.isNumber }, "layout kept")
        }
        let ssn = String(decoding: p.ssn(Array("123-45-6789".utf8)), as: UTF8.self)
        XCTAssertTrue(ssn.hasPrefix("9") && ssn.count == 11, ssn)
        XCTAssertTrue(String(decoding: p.email(Array("jane@hospital.org".utf8)), as: UTF8.self).range(of: #"@example\.(org|com|net)$"#, options: .regularExpression) != nil)
        let ip = String(decoding: p.ip(Array("10.1.2.3".utf8)), as: UTF8.self)
        XCTAssertTrue(["192.0.2.", "198.51.100.", "203.0.113."].contains { ip.hasPrefix($0) }, ip)
        XCTAssertTrue(String(decoding: p.ip(Array("fe80::1".utf8)), as: UTF8.self).hasPrefix("2001:db8:"))
        let card = p.card(Array("4111 1111 1111 1111".utf8))
        XCTAssertFalse(Checksums.luhn(card.filter { $0 >= 48 && $0 <= 57 }.map { $0 - 48 }), "a fake card must fail the Luhn check")
        XCTAssertEqual(String(decoding: Pseudonyms.zip3(Array("02139-4307".utf8)), as: UTF8.self), "021")
        XCTAssertEqual(String(decoding: Pseudonyms.zip3(Array("03601".utf8)), as: UTF8.self), "000", "restricted ZIP3 036")
        XCTAssertEqual(String(decoding: Pseudonyms.zip3(Array("89301".utf8)), as: UTF8.self), "000", "restricted ZIP3 893")
        let name = String(decoding: p.personName(Array("Smith, John".utf8), role: .full), as: UTF8.self)
        XCTAssertTrue(name.contains(", ") && name.first!.isUppercase, name)
        XCTAssertTrue(String(decoding: p.personName(Array("jane doe".utf8), role: .full), as: UTF8.self).allSatisfy { $0.isLowercase || $0 == " " })
        for d in 0..<500 { let s = p.shiftDays(person: Array("p\(d)".utf8)); XCTAssertTrue((1...365).contains(abs(s)), "\(s)") }
    }

    func testFixtureDeidReplacesEveryIdentifierAndKeepsTheRest() throws {
        let fixture = PHIFixture.generate(rows: 400, seed: 11)
        let input = path("in.csv")
        try Data(fixture.csv).write(to: URL(fileURLWithPath: input))
        let audit = try Deidentifier.run(input: input, output: path("out.csv"), key: try key(), options: DeidOptions())
        let (header, out) = try rows(path("out.csv"))
        XCTAssertEqual(header, fixture.columns.map(\.name))
        XCTAssertEqual(out.count, 400)
        for (j, c) in fixture.columns.enumerated() {
            let before = fixture.rows.map { $0[j] }, after = out.map { $0[j] }
            switch c.kind {
            case nil where !c.isText:
                XCTAssertEqual(before, after, "\(c.name) has no identifiers and must be unchanged")
            case .age?:
                for (b, a) in zip(before, after) { XCTAssertEqual(a, Double(b)! > 89 ? "90" : b, "ages over 89 are top-coded at 90 (the column stays numeric)") }
            case .city?, .biometric?, .photo?:
                XCTAssertTrue(after.allSatisfy(\.isEmpty), "\(c.name) must be removed")
            case .zip?:
                XCTAssertTrue(after.allSatisfy { $0.count == 3 }, c.name)
            case _ where c.isText:
                // no identifier span of the input survives in the note
                for (i, note) in after.enumerated() {
                    for s in fixture.spans[j]![i] {
                        let original = String(decoding: Array(before[i].utf8)[s.start..<s.end], as: UTF8.self)
                        XCTAssertFalse(note.contains(s.kind == .age ? original + "-year-old" : original), "\(s.kind) '\(original)' survived in: \(note)")
                    }
                }
            default:
                // every value replaced, and no replacement equals any real value of the column
                let real = Set(before.map { $0.lowercased() })
                for (b, a) in zip(before, after) {
                    XCTAssertNotEqual(a, b, "\(c.name)")
                    if c.kind != .date { XCTAssertFalse(real.contains(a.lowercased()), "\(c.name): fake equals a real value") }
                }
            }
        }
        // The audit names no input value and never the key.
        let json = String(decoding: try audit.jsonData(), as: UTF8.self)
        XCTAssertFalse(json.contains(keyHex))
        for j in fixture.columns.indices where fixture.columns[j].kind != nil {
            for r in fixture.rows.prefix(50) where r[j].count > 3 { XCTAssertFalse(json.contains(r[j]), "audit leaks a value of \(fixture.columns[j].name)") }
        }
        XCTAssertEqual(audit.columns.first { $0.column == "clinical_note" }?.method, .text)
    }

    func testDatesShiftPerPersonKeepingIntervalsAndPseudonymsAreStableAcrossFiles() throws {
        let a = try write("a.csv", "mrn,admit_date,discharge_date,visit_day\nMRN0000001,2021-03-01,2021-03-11,10\nMRN0000002,2021-03-01,2021-03-05,3\nMRN0000001,2021-04-01,2021-04-02,41\n")
        let b = try write("b.csv", "mrn,note_date\nMRN0000002,2021-03-02\n")
        _ = try Deidentifier.run(input: a, output: path("a.out"), key: try key(), options: DeidOptions())
        _ = try Deidentifier.run(input: b, output: path("b.out"), key: try key(), options: DeidOptions())
        let (_, ra) = try rows(path("a.out")), (_, rb) = try rows(path("b.out"))
        func day(_ s: String) -> Int { let p = s.split(separator: "-").map { Int($0)! }; return CivilDate.daysFromCivil(year: p[0], month: p[1], day: p[2]) }
        // intervals within a row and across a person's rows are kept
        XCTAssertEqual(day(ra[0][2]) - day(ra[0][1]), 10)
        XCTAssertEqual(day(ra[2][1]) - day(ra[0][1]), 31)
        XCTAssertEqual(Int(ra[2][3])! - Int(ra[0][3])!, 31, "day counts move with the person's dates")
        // the same person keeps the same pseudonym and shift in another file
        XCTAssertEqual(ra[1][0], rb[0][0])
        XCTAssertEqual(day(rb[0][1]) - day(ra[1][1]), 1)
        XCTAssertNotEqual(ra[0][0], ra[1][0])
        let shift = day(ra[0][1]) - day("2021-03-01")
        XCTAssertTrue((1...365).contains(abs(shift)))
        // another key: other pseudonyms; same key again: byte-identical output
        _ = try Deidentifier.run(input: a, output: path("a2.out"), key: try key(String(keyHex.reversed())), options: DeidOptions())
        XCTAssertNotEqual(try rows(path("a2.out")).rows[0][0], ra[0][0])
        _ = try Deidentifier.run(input: a, output: path("a3.out"), key: try key(), options: DeidOptions())
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("a3.out"))), try Data(contentsOf: URL(fileURLWithPath: path("a.out"))))
        // --dates year
        var yearOnly = DeidOptions(); yearOnly.dates = .year
        _ = try Deidentifier.run(input: a, output: path("ay.out"), key: try key(), options: yearOnly)
        let ry = try rows(path("ay.out")).rows
        XCTAssertEqual(ry[0][1], "2021"); XCTAssertEqual(ry[0][3], "", "day counts cannot be reduced to a year: removed")
    }

    func testYearModeWithholdsBirthYearsThatShowAnAgeOver89() throws {
        let a = try write("b.csv", "mrn,dob,admit_date,age\nMRN0000001,1931-02-03,2022-05-01,91\nMRN0000002,1950-07-08,2022-05-01,71\nMRN0000003,1925-01-01,2020-01-01,\n")
        var o = DeidOptions(); o.dates = .year
        let audit = try Deidentifier.run(input: a, output: path("b.out"), key: try key(), options: o)
        let r = try rows(path("b.out")).rows
        XCTAssertEqual(r[0][1], "", "born 1931, aged 91: the year would show an age over 89")
        XCTAssertEqual(r[1][1], "1950")
        XCTAssertEqual(r[2][1], "", "no age given, but 1925 against an admission in 2020 is over 89")
        XCTAssertEqual(r[0][3], "90"); XCTAssertEqual(audit.columns[1].birthYearsWithheld, 2)
    }

    func testPlaceholdersLongCodesAbbreviationsAndMoreTextForms() throws {
        let a = try write("p.csv", """
        ssn,vin,note
        123-45-6789,1HGCM82633A004352,Transferred from ED to ICU (james lopez) on arrival
        pending,1HGCM82633A004353,"Lopez, Jennifer called; insurance id XJH123456789; plate 7ABC123"
        none,1HGCM82633A004354,mrn: 4821337 and MR# 00482133
        """ + "\n")
        var o = DeidOptions(); o.overrides = ["vin": .pseudonym]
        let audit = try Deidentifier.run(input: a, output: path("p.out"), key: try key(), options: o)
        let r = try rows(path("p.out")).rows
        XCTAssertTrue(r[0][0].hasPrefix("9")); XCTAssertEqual(r[1][0], ""); XCTAssertEqual(r[2][0], "", "placeholders are removed, not an error")
        XCTAssertEqual(audit.columns[0].removedUnreadable, 2)
        XCTAssertTrue(r.allSatisfy { $0[1].count == 17 && $0[1] != "1HGCM82633A004352" }, "a VIN keeps its 17 characters")
        XCTAssertTrue(r[0][2].hasPrefix("Transferred from ED to ICU ("), r[0][2])
        XCTAssertFalse(r[0][2].contains("james lopez"))
        for secret in ["Lopez, Jennifer", "XJH123456789", "7ABC123", "4821337", "00482133"] { XCTAssertFalse(r.map { $0[2] }.joined().contains(secret), secret) }
        XCTAssertTrue(r[2][2].hasPrefix("mrn: "), r[2][2])
        var big = DeidOptions(); big.shiftRangeDays = 100_000
        XCTAssertThrowsError(try Deidentifier.run(input: a, output: path("q.out"), key: try key(), options: big))
    }

    func testTextKeywordsShortNotesAndZipWithoutLeadingZeros() throws {
        let a = try write("t.csv", """
        zip,note
        2134,SSN: 219099998
        19104,acct# 998877665
        3601,spoke with jennifer lopez
        191042231,medical record number 4821337
        90210,Nurse: O'Brien called; zip 19104
        """ + "\n")
        let scan = try IdentifierScan.scan(try CSVDocument(path: a))
        XCTAssertEqual(scan.columns[0].primary?.kind, .zip)
        XCTAssertTrue(scan.columns[1].findings.contains { $0.inText }, "short notes are scanned as text")
        _ = try Deidentifier.run(input: a, output: path("t.out"), key: try key(), options: DeidOptions())
        let r = try rows(path("t.out")).rows
        XCTAssertEqual(r.map { $0[0] }, ["021", "191", "000", "191", "902"])
        let notes = r.map { $0[1] }.joined(separator: "\n")
        for secret in ["219099998", "998877665", "jennifer lopez", "4821337", "O'Brien", "19104"] { XCTAssertFalse(notes.contains(secret), "\(secret) in \(notes)") }
        XCTAssertTrue(notes.contains("SSN: 9") && notes.contains("acct# ") && notes.contains("medical record number "), notes)
    }

    func testOverridesAndBadOptions() throws {
        let a = try write("o.csv", "patient_name,zip,notes\nJohn Smith,02139,Seen by Dr. Baker on 03/04/2021\n")
        var o = DeidOptions(); o.overrides = ["zip": .keep, "patient_name": .suppress]
        let audit = try Deidentifier.run(input: a, output: path("o.out"), key: try key(), options: o)
        let r = try rows(path("o.out")).rows[0]
        XCTAssertEqual(r[0], ""); XCTAssertEqual(r[1], "02139")
        XCTAssertFalse(r[2].contains("Baker")); XCTAssertFalse(r[2].contains("03/04/2021")); XCTAssertTrue(r[2].hasPrefix("Seen by Dr. "), r[2])
        XCTAssertTrue(audit.columns[1].overridden)
        var bad = DeidOptions(); bad.overrides = ["nope": .keep]
        XCTAssertThrowsError(try Deidentifier.run(input: a, output: path("x.out"), key: try key(), options: bad)) { e in XCTAssertTrue("\(e)".contains("no column 'nope'")) }
        var badPatient = DeidOptions(); badPatient.patientColumn = "who"
        XCTAssertThrowsError(try Deidentifier.run(input: a, output: path("x.out"), key: try key(), options: badPatient))
        var badShift = DeidOptions(); badShift.shiftRangeDays = 0
        XCTAssertThrowsError(try Deidentifier.run(input: a, output: path("x.out"), key: try key(), options: badShift))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.out")))
    }
}

/// On the shared covid testing table (fake names, repeated subject ids, a pandemic-day column).
/// Needs ../shared/data (present in CI); skipped on a fresh clone without it.
final class CovidDeidTests: XCTestCase {
    func testCovidTableIsScannedAndDeidentifiedConsistently() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let csv = root.deletingLastPathComponent().appendingPathComponent("shared/data/covid_testing_chop.csv").path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: csv), "needs ../shared/data/covid_testing_chop.csv")
        let doc = try CSVDocument(path: csv)
        let scan = try IdentifierScan.scan(doc)
        func kind(_ c: String) -> PHIKind? { scan.columns.first { $0.column == c }?.primary?.kind }
        XCTAssertEqual(kind("fake_first_name"), .personName)
        XCTAssertEqual(kind("fake_last_name"), .personName)
        XCTAssertEqual(kind("subject_id"), .medicalRecord)
        XCTAssertEqual(kind("pan_day"), .dayNumber)
        XCTAssertEqual(kind("age"), .age)
        for harmless in ["gender", "test_id", "clinic_name", "result", "demo_group", "payor_group", "col_rec_tat"] { XCTAssertNil(kind(harmless), harmless) }

        let out = FileManager.default.temporaryDirectory.appendingPathComponent("covid-deid-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let key = try DeidKey(material: Array("9c1e7a5f3b8d2e6c4a0f9b7d5e3c1a8f6d4b2e0c9a7f5d3b1e8c6a4f2d0b9e7c".utf8))
        _ = try Deidentifier.run(input: csv, output: out, key: key, options: DeidOptions())
        let d = try CSVDocument(path: out)
        XCTAssertEqual(d.rowCount, doc.rowCount)
        let (sid, first, last, day) = (0, 1, 2, 4)
        var pseudonymOf = [String: String](), realOf = [String: String](), shiftOf = [String: Int]()
        let realFirst = Set((0..<doc.rowCount).map { doc.string(row: $0, column: first).lowercased() })
        let realLast = Set((0..<doc.rowCount).map { doc.string(row: $0, column: last).lowercased() })
        for i in 0..<doc.rowCount {
            let s = doc.string(row: i, column: sid), p = d.string(row: i, column: sid)
            XCTAssertNotEqual(s, p)
            if let q = pseudonymOf[s] { XCTAssertEqual(q, p, "one subject, one pseudonym") } else { pseudonymOf[s] = p }
            if let r = realOf[p] { XCTAssertEqual(r, s, "two subjects share a pseudonym") } else { realOf[p] = s }
            let shift = Int(d.string(row: i, column: day))! - Int(doc.string(row: i, column: day))!
            if let k = shiftOf[s] { XCTAssertEqual(k, shift, "a subject's days move together") } else { shiftOf[s] = shift }
            XCTAssertTrue((1...365).contains(abs(shift)))
            let f = d.string(row: i, column: first).lowercased(), l = d.string(row: i, column: last).lowercased()
            if !f.isEmpty { XCTAssertFalse(realFirst.contains(f) || realLast.contains(f), "fake first name equals a real name") }
            XCTAssertFalse(realLast.contains(l) || realFirst.contains(l), "fake last name equals a real name")
        }
    }
}
