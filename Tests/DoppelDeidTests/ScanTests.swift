import XCTest
import DoppelData
@testable import DoppelDeid

final class ScanTests: XCTestCase {
    func bytes(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) { Array(s.utf8).withUnsafeBufferPointer(body) }

    func testFixtureDetectionQualityPerCategory() throws {
        // Seed 7 was used while developing the recognisers; seed 2027 was not.
        for seed: UInt64 in [7, 2027] { try checkFixture(seed: seed) }
    }

    func checkFixture(seed: UInt64) throws {
        let fixture = PHIFixture.generate(rows: 1500, seed: seed)
        let doc = try CSVDocument(bytes: fixture.csv, path: "fixture.csv")
        let scan = try IdentifierScan.scan(doc)
        for (j, c) in fixture.columns.enumerated() where !c.isText {
            let got = scan.columns[j].primary?.kind
            print("\(c.name): truth \(c.kind?.rawValue ?? "-") found \(got?.rawValue ?? "-") \(scan.columns[j].primary?.confidence ?? 0)")
        }
        let q = ScanQuality.measure(fixture, scan: scan)
        if let j = fixture.columns.firstIndex(where: \.isText) {
            var shown = 0
            for (i, row) in fixture.rows.enumerated() where shown < 12 {
                let t = fixture.spans[j]![i].map { "\($0.kind.rawValue):" + String(decoding: Array(row[j].utf8)[$0.start..<$0.end], as: UTF8.self) }
                let f = Array(row[j].utf8).withUnsafeBufferPointer { b in TextScanner.spans(b).map { "\($0.kind.rawValue):" + String(decoding: Array(b[$0.start..<$0.end]), as: UTF8.self) } }
                if !Set(t).isSubset(of: Set(f)) { print("TRUTH", t, "\nFOUND", f); shown += 1 }
            }
        }
        for cat in PHICategory.allCases {
            print(String(format: "%-15@ recall %.4f precision %.4f (tp %d fp %d fn %d)", cat.rawValue, q.recall(cat), q.precision(cat),
                         q.truePositives[cat, default: 0], q.falsePositives[cat, default: 0], q.falseNegatives[cat, default: 0]))
            XCTAssertGreaterThan(q.truePositives[cat, default: 0], 0, "\(cat) has no cases in the fixture")
            XCTAssertGreaterThanOrEqual(q.recall(cat), 0.99, "recall \(cat)")
            XCTAssertGreaterThanOrEqual(q.precision(cat), 0.95, "precision \(cat)")
        }
    }
}
