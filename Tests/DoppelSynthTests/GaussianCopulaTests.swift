import XCTest
import Foundation
@testable import DoppelSynth
@testable import DoppelData
import DoppelMath

/// A planted table: correlated age/bili/sex, a date, an identifier, missing values that depend on age.
func plantedTable(rows n: Int = 3000, seed: UInt64 = 5) throws -> Table {
    var rng = SeededGenerator(seed: seed)
    var lines = ["id,age,bili,sex,stage,admitted,alive"]
    for i in 0..<n {
        let z1 = rng.nextNormal(), z2 = 0.8 * z1 + 0.6 * rng.nextNormal()
        let age = Int((60 + 12 * z1).rounded())
        let bili = (exp(0.5 * z2) * 100).rounded() / 100
        let sex = z1 + rng.nextNormal() > 0.3 ? "Female" : "Male"
        let stage = 1 + min(3, max(0, Int((z2 + 1.5).rounded(.down))))
        let day = 18262 + Int(rng.nextUniform() * 365)
        let (y, m, d) = CivilDate.civilFromDays(day)
        let date = String(format: "%04d-%02d-%02d", y, m, d)
        let biliText = age > 70 && rng.nextUniform() < 0.6 ? "" : String(bili)   // missing more often when old
        lines.append("\(5000 + i),\(age),\(biliText),\(sex),\(stage),\(date),\(rng.nextUniform() < 0.8 ? "true" : "false")")
    }
    let doc = try CSVDocument(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), path: "planted.csv")
    return try Table(document: doc, schema: SchemaInference.infer(doc))
}

func numeric(_ t: Table, _ name: String) -> [Double] {
    if case .numeric(let v) = t.column(named: name)!.values { return v }
    return []
}
func codes(_ t: Table, _ name: String) -> [Int32] {
    if case .categorical(let c, _) = t.column(named: name)!.values { return c }
    return []
}
func pearson(_ x: [Double], _ y: [Double]) -> Double {
    let idx = x.indices.filter { !x[$0].isNaN && !y[$0].isNaN }
    let mx = idx.reduce(0) { $0 + x[$1] } / Double(idx.count), my = idx.reduce(0) { $0 + y[$1] } / Double(idx.count)
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in idx { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my) }
    return sxy / (sxx * syy).squareRoot()
}

final class GaussianCopulaTests: XCTestCase {
    func testMarginalsCorrelationsAndMissingnessSurvive() throws {
        let real = try plantedTable()
        let model = try GaussianCopula.fit(real, seed: 1)
        let syn = try model.sample(6000, seed: 2)
        // Marginal means and spreads.
        let ra = numeric(real, "age"), sa = numeric(syn, "age")
        XCTAssertEqual(sa.reduce(0, +) / Double(sa.count), ra.reduce(0, +) / Double(ra.count), accuracy: 0.8)
        // Correlation between age and bili kept (log-normal bili, rank correlation structure).
        XCTAssertEqual(pearson(sa, numeric(syn, "bili")), pearson(ra, numeric(real, "bili")), accuracy: 0.08)
        // Missing rate of bili and its dependence on age.
        func missingShare(_ t: Table, old: Bool) -> Double {
            let a = numeric(t, "age"), b = numeric(t, "bili")
            let rows = a.indices.filter { old ? a[$0] > 70 : a[$0] <= 70 }
            return Double(rows.filter { b[$0].isNaN }.count) / Double(rows.count)
        }
        // The overall rate is kept; the planted step (60% missing above 70, none below) is a threshold
        // effect a Gaussian copula can only approximate, but the dependence must clearly survive.
        let realRate = Double(numeric(real, "bili").filter(\.isNaN).count) / Double(real.rowCount)
        let synRate = Double(numeric(syn, "bili").filter(\.isNaN).count) / Double(syn.rowCount)
        XCTAssertEqual(synRate, realRate, accuracy: 0.015)
        XCTAssertGreaterThan(missingShare(syn, old: true), missingShare(syn, old: false) + 0.3)
        XCTAssertGreaterThan(missingShare(syn, old: true), 0.35)
        // Category frequencies.
        let rf = Double(codes(real, "sex").filter { $0 == 0 }.count) / Double(real.rowCount)
        let sf = Double(codes(syn, "sex").filter { $0 == 0 }.count) / Double(syn.rowCount)
        XCTAssertEqual(sf, rf, accuracy: 0.03)
    }

    func testOutputKeepsKindsBoundsDecimalsCategoriesAndFormats() throws {
        let real = try plantedTable(rows: 800)
        let syn = try GaussianCopula.fit(real, seed: 1).sample(3000, seed: 9)
        let spec = real.schema
        for v in numeric(syn, "age") where !v.isNaN {
            XCTAssertEqual(v, v.rounded()); XCTAssertGreaterThanOrEqual(v, spec["age"]!.min!); XCTAssertLessThanOrEqual(v, spec["age"]!.max!)
        }
        for v in numeric(syn, "bili") where !v.isNaN { XCTAssertEqual(v * 100, (v * 100).rounded(), accuracy: 1e-6) }
        for v in numeric(syn, "admitted") { XCTAssertEqual(v.truncatingRemainder(dividingBy: 86400), 0) }
        XCTAssertEqual(Set(codes(syn, "stage")).isSubset(of: Set(codes(real, "stage"))), true)
        // CSV output: the date prints in the input layout; booleans keep their spelling.
        let bytes = String(decoding: syn.csvRowBytes(0..<20), as: UTF8.self)
        XCTAssertNotNil(bytes.range(of: #"\d{4}-\d{2}-\d{2}"#, options: .regularExpression))
        XCTAssertTrue(bytes.contains("true") || bytes.contains("false"))
    }

    func testIdentifiersAreFreshAndShaped() throws {
        let real = try plantedTable(rows: 500)
        let syn = try GaussianCopula.fit(real, seed: 1).sample(2000, seed: 3)
        guard case .text(let ids) = syn.column(named: "id")!.values, case .text(let realIDs) = real.column(named: "id")!.values else { return XCTFail() }
        XCTAssertTrue(Set(ids.compactMap { $0 }).isDisjoint(with: Set(realIDs.compactMap { $0 })))
        XCTAssertEqual(Set(ids.compactMap { $0 }).count, 2000)
        // Names and codes: a marker position keeps every output different from every input.
        let names = ["Ann", "Bob", "Cyd", "Dee", "Eve", "Fay", "Gus", "Hal"]
        let gen = IdentifierGenerator(values: names)
        var seen = Set<String>()
        for r in 0..<500 {
            let v = gen.value(row: r, seed: 1)
            XCTAssertFalse(names.contains(v)); XCTAssertTrue(v.first!.isUppercase)
            // The template "Ann" with a marker has 5 × 19 = 95 values; later rows get extra letters.
            XCTAssertEqual(v.count, r < 95 ? 3 : 4, "row \(r): \(v)")
            seen.insert(v)
        }
        XCTAssertEqual(seen.count, 500, "every row gets its own value")
        // Mostly numbers with one placeholder: the template path (three digits, one of them the marker)
        // must still give distinct values that equal no input (a new-user trial found 100 values in 920 rows).
        let mostlyNumbers = (1...920).map(String.init) + ["pending"]
        let g3 = IdentifierGenerator(values: mostlyNumbers)
        let out = (0..<5000).map { g3.value(row: $0, seed: 4) }
        XCTAssertEqual(Set(out).count, 5000)
        XCTAssertTrue(Set(out).isDisjoint(with: Set(mostlyNumbers)))
        XCTAssertEqual(out, (0..<5000).map { g3.value(row: $0, seed: 4) }, "deterministic")
        XCTAssertNotEqual(out, (0..<5000).map { g3.value(row: $0, seed: 5) }, "seeded")
        let codes = (0..<300).map { String(format: "AB%04d", $0) }
        let g2 = IdentifierGenerator(values: codes)
        for r in 0..<300 { XCTAssertFalse(codes.contains(g2.value(row: r, seed: 2))) }
        let padded = IdentifierGenerator(values: ["0007", "0012", "0420"])
        XCTAssertEqual(padded.value(row: 0, seed: 0), "0421")
    }

    func testDeterministicAndShardExact() throws {
        let real = try plantedTable(rows: 400)
        let sampler = try GaussianCopula.fit(real, seed: 1).sampler()
        func run(_ shard: Shard?, header: Bool = true) throws -> String {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("s-\(UUID().uuidString).csv").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let w = try CSVWriter(path: path)
            try Sampling.stream(sampler, total: 10_000, seed: 7, shard: shard, to: w, header: header)
            try w.finish()
            return try String(contentsOfFile: path, encoding: .utf8)
        }
        let a = try run(nil), b = try run(nil)
        XCTAssertEqual(a, b)
        let parts = try (1...3).map { try run(Shard(index: $0, count: 3), header: $0 == 1) }
        XCTAssertEqual(parts.joined(), a)
        XCTAssertEqual(a.split(separator: "\n").count, 10_001)
        // A different seed gives different rows.
        let other = Sampling.table(sampler, total: 50, seed: 8)
        XCTAssertNotEqual(other.csvRowBytes(0..<50), Sampling.table(sampler, total: 50, seed: 7).csvRowBytes(0..<50))
        XCTAssertThrowsError(try Shard.parse("0/3")); XCTAssertThrowsError(try Shard.parse("4/3")); XCTAssertThrowsError(try Shard.parse("x")); XCTAssertThrowsError(try Shard.parse("1/4/")); XCTAssertThrowsError(try Shard.parse("/4"))
    }

    /// Names and values holding commas, operators or `|` are written in double quotes in --where.
    func testQuotedNamesAndValuesInConditions() throws {
        let c = try Condition.parseList(#""BP, systolic">=140,dx="Lung, other|rare",sex=F|M,"a=b"="x""y""#)
        XCTAssertEqual(c.map(\.column), ["BP, systolic", "dx", "sex", "a=b"])
        XCTAssertEqual(c.map(\.op), [.greaterOrEqual, .equal, .equal, .equal])
        XCTAssertEqual(c[0].value, "140")
        XCTAssertEqual(c[1].alternatives, ["Lung, other|rare"])
        XCTAssertEqual(c[2].alternatives, ["F", "M"])
        XCTAssertEqual(c[3].alternatives, [#"x"y"#])
        XCTAssertThrowsError(try Condition.parse(#""a>=1""#))   // all in quotes: no operator
        var lines = ["\"BP, systolic\",dx"]
        for i in 0..<400 { lines.append("\(100 + i % 80),\(i % 3 == 0 ? "\"Lung, other\"" : i % 3 == 1 ? "Heart" : "Kidney")") }
        let model = try GaussianCopula.fit(try table(csv: lines), seed: 1)
        let out = try model.sample(300, seed: 2, conditions: Condition.parseList(#""BP, systolic">=150,dx="Lung, other""#))
        XCTAssertTrue(numeric(out, "BP, systolic").allSatisfy { $0 >= 150 })
        let lung = Int32(out.schema["dx"]!.categories!.firstIndex(of: "Lung, other")!)
        XCTAssertTrue(codes(out, "dx").allSatisfy { $0 == lung })
    }

    func testFitIsDeterministic() throws {
        let real = try plantedTable(rows: 300)
        XCTAssertEqual(try GaussianCopula.fit(real, seed: 4), try GaussianCopula.fit(real, seed: 4))
    }

    func testConditionalSamplingIsServedByTheModel() throws {
        let real = try plantedTable()
        let model = try GaussianCopula.fit(real, seed: 1)
        let females = try model.sample(2000, seed: 5, conditions: [Condition.parse("sex=Female")])
        let female = Int32(real.schema["sex"]!.categories!.firstIndex(of: "Female")!)
        XCTAssertTrue(codes(females, "sex").allSatisfy { $0 == female })
        // Dependence carries over: women are older in the planted data.
        let allAge = numeric(try model.sample(4000, seed: 6), "age"), fAge = numeric(females, "age")
        XCTAssertGreaterThan(fAge.reduce(0, +) / Double(fAge.count), allAge.reduce(0, +) / Double(allAge.count) + 2)
        // Several conditions, a numeric range and a category.
        let old = try model.sample(1000, seed: 5, conditions: Condition.parseList("age>=75,sex=Male"))
        XCTAssertTrue(numeric(old, "age").allSatisfy { $0 >= 75 })
        XCTAssertTrue(codes(old, "sex").allSatisfy { $0 != female })
        let band = try model.sample(500, seed: 5, conditions: Condition.parseList("age>60,age<62"))
        XCTAssertTrue(numeric(band, "age").allSatisfy { $0 == 61 })
        let equal = try model.sample(300, seed: 5, conditions: Condition.parseList("age=66"))
        XCTAssertTrue(numeric(equal, "age").allSatisfy { $0 == 66 })
        let dated = try model.sample(300, seed: 5, conditions: Condition.parseList("admitted>=2020-06-01"))
        XCTAssertTrue(numeric(dated, "admitted").allSatisfy { $0 >= 18414 * 86400 })
        // Errors: impossible, unknown column, unknown category, wrong operator, identifier.
        XCTAssertThrowsError(try model.sampler(conditions: [Condition.parse("age>=200")])) { XCTAssertTrue("\($0)".contains("cannot be met")) }
        XCTAssertThrowsError(try model.sampler(conditions: [Condition.parse("height=3")])) { XCTAssertTrue("\($0)".contains("no column 'height'")) }
        XCTAssertThrowsError(try model.sampler(conditions: [Condition.parse("sex=Other")])) { XCTAssertTrue("\($0)".contains("not a category")) }
        XCTAssertThrowsError(try model.sampler(conditions: [Condition.parse("sex>=F")]))
        XCTAssertThrowsError(try model.sampler(conditions: [Condition.parse("id=3")])) { XCTAssertTrue("\($0)".contains("identifier")) }
        XCTAssertThrowsError(try model.sampler(conditions: Condition.parseList("age>70,age<65"))) { XCTAssertTrue("\($0)".contains("cannot all hold")) }
        XCTAssertThrowsError(try Condition.parse("nonsense"))
    }

    func testCategoryOrderFollowsDependence() throws {
        // Three categories whose means of x are ordered C < A < B: the latent order must follow x,
        // not the alphabet, so that sampling keeps the dependence.
        var rng = SeededGenerator(seed: 1)
        var lines = ["g,x"]
        for _ in 0..<3000 {
            let g = ["A", "B", "C"][rng.nextInt(below: 3)]
            let shift = ["A": 0.0, "B": 3.0, "C": -3.0][g]!
            lines.append("\(g),\(String(format: "%.3f", shift + rng.nextNormal()))")
        }
        let doc = try CSVDocument(bytes: Array(lines.joined(separator: "\n").utf8), path: "t.csv")
        let real = try Table(document: doc, schema: SchemaInference.infer(doc))
        let model = try GaussianCopula.fit(real, seed: 1)
        guard case .categorical(let m) = model.columns[0].kind else { return XCTFail() }
        XCTAssertTrue(m.order == [2, 0, 1] || m.order == [1, 0, 2], "\(m.order)")
        let syn = try model.sample(3000, seed: 2)
        let g = codes(syn, "g"), x = numeric(syn, "x")
        let means = (Int32(0)...2).map { code -> Double in
            let v = g.indices.filter { g[$0] == code }.map { x[$0] }
            return v.reduce(0, +) / Double(v.count)
        }
        // C < A < B as in the data (an alphabetical latent order would put A lowest), clearly separated.
        XCTAssertLessThan(means[2], -1.5); XCTAssertEqual(means[0], 0, accuracy: 0.5); XCTAssertGreaterThan(means[1], 1.5)
    }

    func testEmptyAndConstantColumns() throws {
        let doc = try CSVDocument(bytes: Array("a,b,c\n1,,5\n2,,5\n3,,5\n".utf8), path: "t.csv")
        let real = try Table(document: doc, schema: SchemaInference.infer(doc))
        let syn = try GaussianCopula.fit(real, seed: 1).sample(10, seed: 1)
        XCTAssertTrue(codes(syn, "b").allSatisfy { $0 == -1 })
    }
}

final class ModelFileTests: XCTestCase {
    func makeFile() throws -> (ModelFile, String) {
        let real = try plantedTable(rows: 200)
        let model = FittedModel.gaussianCopula(try GaussianCopula.fit(real, seed: 1))
        let file = ModelFile(model: model, provenance: Provenance(trainingSHA256: String(repeating: "a", count: 64), trainingRows: 200,
                                                                  synthesizer: "gaussian-copula", seed: 1, fitSeconds: 0.1))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("m-\(UUID().uuidString).doppel").path
        try file.write(to: path)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return (file, path)
    }

    func testRoundTrip() throws {
        let (file, path) = try makeFile()
        let back = try ModelFile.read(from: path)
        XCTAssertEqual(back, file)
        // The model holds no training row: no identifier value appears in it.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertFalse(text.contains("\"5000\""))
        XCTAssertFalse(text.contains("5000,"))
    }

    func testCorruptTruncatedFutureAndForeignFilesAreRefused() throws {
        let (_, path) = try makeFile()
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        var flipped = data; flipped[flipped.count / 2] ^= 0x01
        XCTAssertThrowsError(try ModelFile.decode(flipped, path: "m")) { XCTAssertTrue("\($0)".contains("corrupt or truncated")) }
        XCTAssertThrowsError(try ModelFile.decode(data.prefix(data.count - 10), path: "m")) { XCTAssertTrue("\($0)".contains("corrupt or truncated")) }
        let header = String(decoding: data.prefix(while: { $0 != 0x0A }), as: UTF8.self)
        let future = header.replacingOccurrences(of: "DOPPEL-MODEL 1 ", with: "DOPPEL-MODEL 2 ")
        data.replaceSubrange(0..<header.utf8.count, with: Data(future.utf8))
        XCTAssertThrowsError(try ModelFile.decode(data, path: "m")) { XCTAssertTrue("\($0)".contains("newer Doppel")) }
        XCTAssertThrowsError(try ModelFile.decode(Data("id,age\n1,2\n".utf8), path: "m")) { XCTAssertTrue("\($0)".contains("not a Doppel model")) }
        XCTAssertThrowsError(try ModelFile.read(from: "/nonexistent.doppel")) { XCTAssertEqual(($0 as? DoppelError)?.exitCode, 66) }
    }
}

final class PartialSynthesisTests: XCTestCase {
    /// Replaced values follow the kept ones: on a planted table y = 2x + noise, partial synthesis of y
    /// keeps corr(x, y) near its real value (an unconditional draw would give ≈ 0), with new values.
    func testReplacedColumnKeepsItsRelationToKeptColumns() throws {
        var rng = SeededGenerator(seed: 3)
        let n = 3000
        let x = (0..<n).map { _ in rng.nextNormal() }
        let y = x.map { 2 * $0 + rng.nextNormal() }
        let g: [Int32] = x.map { $0 > 0.5 ? 1 : 0 }
        let schema = Schema(columns: [ColumnSpec(name: "x", kind: .numeric), ColumnSpec(name: "y", kind: .numeric), {
            var c = ColumnSpec(name: "g", kind: .categorical); c.categories = ["lo", "hi"]; return c }()])
        let table = Table(schema: schema, columns: [Column(name: "x", values: .numeric(x)), Column(name: "y", values: .numeric(y)),
                                                    Column(name: "g", values: .categorical(codes: g, levels: ["lo", "hi"]))])
        let model = try GaussianCopula.fit(table, seed: 1)
        let out = try model.synthesize(columns: ["y", "g"], in: table, seed: 5)
        guard case .numeric(let x2) = out.columns[0].values, case .numeric(let y2) = out.columns[1].values,
              case .categorical(let g2, _) = out.columns[2].values else { return XCTFail() }
        XCTAssertEqual(x2, x, "kept column unchanged")
        func corr(_ a: [Double], _ b: [Double]) -> Double {
            let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
            var sab = 0.0, saa = 0.0, sbb = 0.0
            for i in a.indices { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb) }
            return sab / (saa * sbb).squareRoot()
        }
        XCTAssertEqual(corr(x, y2), corr(x, y), accuracy: 0.05)
        XCTAssertLessThan(zip(y, y2).filter { $0 == $1 }.count, 10, "values are redrawn, not copied")
        // the categorical g is (almost) a function of x: its redraws should agree with x mostly
        let agree = zip(x, g2).filter { ($0 > 0.5) == ($1 == 1) }.count
        XCTAssertGreaterThan(Double(agree) / Double(n), 0.85)
        let again = try model.synthesize(columns: ["y", "g"], in: table, seed: 5)
        XCTAssertEqual(again, out, "same seed, same output")
        XCTAssertThrowsError(try model.synthesize(columns: ["nope"], in: table, seed: 5))
    }
}

final class OutputGridTests: XCTestCase {
    /// A value held at a bound is written like the others: the bounds (a fitted schema's are the real
    /// extremes, to full precision) are taken to the nearest grid points inside them.
    func testBoundsAreOnTheOutputGrid() {
        var spec = ColumnSpec(name: "x", kind: .numeric)
        spec.decimals = 2; spec.min = -3.14659265358979; spec.max = 2.71828182845904
        let grid = ColumnSpec.OutputGrid(spec)
        XCTAssertEqual(grid.lo, -3.14); XCTAssertEqual(grid.hi, 2.71)
        XCTAssertEqual(grid(-50), -3.14); XCTAssertEqual(grid(9), 2.71); XCTAssertEqual(grid(1.234), 1.23)
        spec.decimals = nil
        XCTAssertEqual(ColumnSpec.OutputGrid(spec)(-50), -3.14659265358979, "no grid: the bound itself")
    }

    /// Every synthesizer's numbers, bounds included, come out on the column's grid (2 decimals here,
    /// though the real minimum, three rows of it, has 14).
    func testSynthesizersNeverEmitTheRealExtremesDigits() throws {
        var lines = ["x,y"]
        var rng = SeededGenerator(seed: 3)
        for i in 0..<400 { lines.append("\(i < 3 ? "-3.14659265358979" : String(format: "%.2f", rng.nextNormal())),\(i % 3)") }
        let doc = try CSVDocument(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), path: "grid.csv")
        let real = try Table(document: doc, schema: SchemaInference.infer(doc))
        XCTAssertEqual(real.schema.columns[0].decimals, 2)
        var options = FitOptions()
        options.neural.epochs = 2
        for kind in [SynthesizerKind.gaussianCopula, .cart, .bayesianNetwork, .tvae] {
            let model = try FittedModel.fit(kind, table: real, seed: 1, options: options).0
            let x = numeric(try model.sampler(conditions: []).sampleBlock(rows: 4000, firstRow: 0, seed: 1, rng: &rng), "x")
            XCTAssertTrue(x.allSatisfy { $0.isNaN || abs($0 * 100 - ($0 * 100).rounded()) < 1e-6 }, "\(kind)")
            XCTAssertTrue(x.allSatisfy { $0.isNaN || $0 >= -3.14 }, "\(kind)")
            if kind == .cart { XCTAssertTrue(x.contains(-3.14), "CART reaches the bound") }
        }
    }
}

final class RejectionSamplerTests: XCTestCase {
    func table(rareEvery: Int, n: Int = 5000) -> Table {
        var rng = SeededGenerator(seed: 4)
        let x = (0..<n).map { _ in rng.nextNormal() }
        let g: [Int32] = (0..<n).map { i in i % rareEvery == 0 ? 2 : (x[i] > 0 ? 1 : 0) }
        var spec = ColumnSpec(name: "g", kind: .categorical); spec.categories = ["lo", "hi", "rare"]
        let schema = Schema(columns: [ColumnSpec(name: "x", kind: .numeric), spec])
        return Table(schema: schema, columns: [Column(name: "x", values: .numeric(x)), Column(name: "g", values: .categorical(codes: g, levels: spec.categories!))])
    }

    /// Numeric codes match as numbers (`edema=1` finds `1.0`), other names exactly, then ignoring case.
    func testCategoryNamesMatchAsTextThenAsNumbers() throws {
        var spec = ColumnSpec(name: "edema", kind: .categorical); spec.categories = ["0.0", "0.5", "1.0"]
        XCTAssertEqual(try Condition.parse("edema=1").categoryCodes(in: spec), [2])
        XCTAssertEqual(try Condition.parse("edema=0.50").categoryCodes(in: spec), [1])
        XCTAssertThrowsError(try Condition.parse("edema=2").categoryCodes(in: spec))
        var sex = ColumnSpec(name: "sex", kind: .categorical); sex.categories = ["F", "M"]
        XCTAssertEqual(try Condition.parse("sex=f").categoryCodes(in: sex), [0])
        XCTAssertThrowsError(try Condition.parseList(""))
        XCTAssertThrowsError(try Condition.parseList(","))
    }

    func testChoiceOfCategoriesIsMetExactlyAndDeterministically() throws {
        let model = FittedModel.gaussianCopula(try GaussianCopula.fit(table(rareEvery: 10), seed: 1))
        let sampler = try model.sampler(conditions: try Condition.parseList("g=hi|rare,x>=0.5"))
        XCTAssertTrue(sampler is RejectionSampler)
        let t = Sampling.table(sampler, total: 3000, seed: 9)
        guard case .categorical(let codes, _) = t.columns[1].values, case .numeric(let x) = t.columns[0].values else { return XCTFail() }
        XCTAssertEqual(t.rowCount, 3000)
        XCTAssertTrue(codes.allSatisfy { $0 == 1 || $0 == 2 }, "every row meets the choice")
        XCTAssertTrue(x.allSatisfy { $0 >= 0.5 }, "the model still serves the range itself")
        XCTAssertEqual(Sampling.table(sampler, total: 3000, seed: 9), t)
        XCTAssertThrowsError(try model.sampler(conditions: try Condition.parseList("g=hi|nope")))
        XCTAssertThrowsError(try model.sampler(conditions: try Condition.parseList("x=1|2")))
    }

    /// A rare condition draws more batches, not bigger ones: the batch is capped (memory stays bounded).
    func testCandidateBatchIsCapped() {
        XCTAssertEqual(RejectionSampler.candidateBatch(rows: 1000, acceptance: 1), 1200)
        XCTAssertEqual(RejectionSampler.candidateBatch(rows: 1000, acceptance: 0.001), RejectionSampler.maximumBatch)
        XCTAssertEqual(RejectionSampler.candidateBatch(rows: 100_000, acceptance: 0.01), 200_000)
        XCTAssertEqual(RejectionSampler.candidateBatch(rows: 10, acceptance: 0.5), 256)
    }

    func testVanishingChoiceIsRefused() throws {
        let model = FittedModel.gaussianCopula(try GaussianCopula.fit(table(rareEvery: 5000), seed: 1))
        XCTAssertThrowsError(try model.sampler(conditions: try Condition.parseList("g=rare|rare,x>=1"))) { e in
            XCTAssertTrue("\(e)".contains("vanishing probability"), "\(e)")
        }
    }
}

final class ExtremeRangeTests: XCTestCase {
    func testShardsOfHugeTotalsAndMarginalsSpanningTheDoubleRange() throws {
        let s = try Shard(index: Int.max, count: Int.max)
        XCTAssertEqual(s.rows(of: Int.max).count, 1)
        XCTAssertEqual(try Shard(index: 2, count: 3).rows(of: 10), 3..<6)
        let m = NumericMarginal(sortedValues: [-1e308, 1e308])
        XCTAssertEqual(m.lowerProbability(0) ?? -1, 0.5, accuracy: 1e-12)
        XCTAssertFalse(m.quantile(.nan).isNaN)
    }
}
