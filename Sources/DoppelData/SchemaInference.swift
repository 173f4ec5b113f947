import Foundation
import DoppelMath

/// Infers a ``Schema`` from a parsed CSV file.
///
/// Rules, in order, over a column's non-missing values:
/// 1. all missing → categorical with no categories;
/// 2. all numbers → identifier when the name looks like an id and at least 30% of values are distinct;
///    categorical when whole numbers with at most ``maxIntegerLevels`` distinct values, each seen twice
///    on average (codes such as 0/1 or 1–4 stages); numeric otherwise, with integer-ness, decimals and bounds;
/// 3. all boolean spellings → categorical (boolean);
/// 4. all dates in one layout → datetime (day-first and month-first are told apart by values above 12;
///    when every value is ambiguous, `/` is read month-first and `-` / `.` day-first, noted in the schema);
/// 5. other text → identifier when the name is a person's name or an id, or when nearly every value is
///    unique and short (codes); free text when long, spaced and mostly unique; categorical otherwise.
public enum SchemaInference {
    /// Whole-number columns with at most this many distinct values are categorical.
    public static let maxIntegerLevels = 5

    public static func infer(_ doc: CSVDocument) -> Schema {
        Schema(columns: (try? parallelMap(doc.columnCount) { inferColumn(doc, $0) }) ?? [])
    }

    static func inferColumn(_ doc: CSVDocument, _ j: Int) -> ColumnSpec {
        let name = doc.header[j]
        let n = doc.rowCount
        var missing = 0
        var allNumeric = true, allIntegral = true
        var decimalCounts = [Int](repeating: 0, count: 18)   // values by decimals written (17: full precision)
        var lo = Double.infinity, hi = -Double.infinity
        var interner = ByteInterner(capacity: 256)
        var totalLength = 0, withSpaces = 0
        var distinctCap = false
        let idLike = NameHeuristics.classify(name) != .other
        // A column whose first value reads as a date is checked as a date before its values are counted.
        var firstValue: [UInt8]? = nil
        doc.withFields { fa in
            for i in 0..<n {
                let done: Bool = fa.with(i, j) { f in
                    if FieldParsing.isMissing(f) { return false }
                    firstValue = Array(f); return true
                }
                if done { break }
            }
        }
        let maybeDate = firstValue.map { v in v.withUnsafeBufferPointer { f in DateTimeFormat.candidates.contains { $0.parse(f) != nil } } } ?? false
        var skipDistinct = maybeDate
        doc.withFields { fa in
          for i in 0..<n {
            fa.with(i, j) { f in
                if FieldParsing.isMissing(f) { missing += 1; return }
                // Distinct values: always for text; for numbers only while they could still be codes or ids.
                if !distinctCap && !skipDistinct && (!allNumeric || idLike || interner.count <= maxIntegerLevels) {
                    _ = interner.intern(f); if interner.count > 200_000 { distinctCap = true }
                }
                totalLength += f.count
                if f.contains(0x20) { withSpaces += 1 }
                if allNumeric {
                    var dec = 0
                    if let v = FieldParsing.parseNumber(f, decimals: &dec) {
                        // Precision: trailing zeros ("97.0", "0.300") add none — whole numbers written as "97.0"
                        // must not get synthetic fractions — and float-representation noise
                        // (6.300000000000001) counts as the shortest decimals that reproduce the value.
                        var significant = dec
                        if significant > 0 { var k = f.count - 1; while significant > 0, k > 0, f[k] == 0x30 { significant -= 1; k -= 1 } }
                        if significant > 6 { significant = SchemaInference.significantDecimals(v, upTo: significant) }
                        decimalCounts[dec < 0 ? 17 : Swift.min(significant, 17)] += 1
                        if dec > 6 { dec = SchemaInference.significantDecimals(v, upTo: dec) }
                        if v != v.rounded() || dec != 0 { allIntegral = false }
                        lo = Swift.min(lo, v); hi = Swift.max(hi, v)
                        // a leading zero ("02134", "007") marks a code, not a quantity
                        if f.count > 1, f[0] == 0x30, f[1] &- 0x30 < 10 { allNumeric = false }
                    } else { allNumeric = false }
                }
            }
          }
        }
        let present = n - missing
        var spec = ColumnSpec(name: name, kind: .categorical)
        spec.missingRate = Double(missing) / Double(max(n, 1))
        spec.distinct = interner.count
        if present == 0 {
            spec.categories = []
            spec.note = "every value is missing"
            return spec
        }
        let nameClass = NameHeuristics.classify(name)
        if allNumeric {
            let distinctRatio = Double(interner.count) / Double(present)
            if nameClass == .recordID, allIntegral, distinctRatio >= 0.3 {
                spec.kind = .identifier; spec.identifierType = "record number"
                spec.distinct = nil
                spec.note = "id-like name with \(Int(distinctRatio * 100))% distinct values"
                return spec
            }
            if allIntegral, interner.count <= maxIntegerLevels, interner.count * 2 <= present {
                spec.kind = .categorical
                spec.categories = interner.strings.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
                spec.note = "whole numbers with \(interner.count) distinct values: treated as codes"
                return spec
            }
            spec.kind = .numeric
            spec.integer = allIntegral
            if interner.count > maxIntegerLevels { spec.distinct = nil }   // counting stopped there: not the number of values
            let decimals = allIntegral ? 0 : SchemaInference.coveringDecimals(decimalCounts)
            spec.decimals = decimals >= 17 ? nil : decimals
            if let most = decimalCounts.lastIndex(where: { $0 > 0 }), most > decimals {
                let share = Double(decimalCounts[(decimals + 1)...].reduce(0, +)) / Double(present)
                spec.note = String(format: "%.2g%% of values have more decimals than the %d kept (up to %@); synthetic values are written with %d",
                                   100 * share, decimals, most >= 17 ? "full precision" : "\(most)", decimals)
            }
            spec.min = lo; spec.max = hi
            return spec
        }
        if maybeDate, let (format, note, dlo, dhi) = inferDateFormat(doc, j) {
            spec.kind = .datetime; spec.format = format
            spec.min = dlo; spec.max = dhi
            spec.note = note
            spec.distinct = nil
            return spec
        }
        if skipDistinct {
            // Not a date after all: count the values now.
            skipDistinct = false
            doc.withFields { fa in
                for i in 0..<n { fa.with(i, j) { f in if !FieldParsing.isMissing(f) { _ = interner.intern(f) } } }
            }
            spec.distinct = interner.count
        }
        let distinctRatio = Double(interner.count) / Double(present)
        let strings = interner.strings
        if strings.allSatisfy({ FieldParsing.parseBoolean($0) != nil }) {
            spec.kind = .categorical; spec.boolean = true
            spec.categories = strings.sorted()
            return spec
        }
        let avgLength = Double(totalLength) / Double(present)
        let spacedShare = Double(withSpaces) / Double(present)
        if nameClass == .personName {
            spec.kind = .identifier; spec.identifierType = "name"; spec.distinct = nil
            spec.note = "column name says it holds person names"
            return spec
        }
        if nameClass == .recordID, distinctRatio >= 0.3 {
            spec.kind = .identifier; spec.identifierType = "record number"; spec.distinct = nil
            spec.note = "id-like name with \(Int(distinctRatio * 100))% distinct values"
            return spec
        }
        if nameClass == .contact {
            spec.kind = .identifier; spec.identifierType = "contact"; spec.distinct = nil
            spec.note = "column name says it holds contact details"
            return spec
        }
        if distinctRatio >= 0.5, avgLength >= 30, spacedShare >= 0.5 {
            spec.kind = .text; spec.distinct = nil
            spec.note = "long, mostly unique text"
            return spec
        }
        if distinctRatio >= 0.5, interner.count > 50 {
            // Modelled as categories, these values would be copied verbatim into synthetic rows.
            spec.kind = .text; spec.distinct = nil
            spec.note = "\(Int(distinctRatio * 100))% distinct values: too many to model as categories without copying real values; left unmodelled (edit the kind if this is wrong)"
            if distinctRatio >= 0.95, avgLength < 30, spacedShare < 0.5 {
                spec.kind = .identifier; spec.identifierType = "code"
                spec.note = "\(Int(distinctRatio * 100))% of values are unique"
            }
            return spec
        }
        if distinctRatio >= 0.95, present >= 20 {
            spec.kind = .identifier; spec.identifierType = "code"; spec.distinct = nil
            spec.note = "\(Int(distinctRatio * 100))% of values are unique"
            return spec
        }
        spec.kind = .categorical
        spec.categories = strings.sorted()
        return spec
    }

    /// The fewest decimals that write at least 99% of the values exactly, from counts of values by
    /// decimals (index 17: full precision).
    static func coveringDecimals(_ counts: [Int]) -> Int {
        let total = counts.reduce(0, +)
        var covered = 0
        for (d, c) in counts.enumerated() {
            covered += c
            if 100 * covered >= 99 * total { return d }
        }
        return counts.count - 1
    }

    /// The fewest decimals d ≤ `upTo` with |v − round(v, d)| ≤ 1e-12·max(1, |v|).
    static func significantDecimals(_ v: Double, upTo: Int) -> Int {
        var scale = 1.0
        for d in 0..<upTo {
            if abs(v - (v * scale).rounded() / scale) <= 1e-12 * max(1, abs(v)) { return d }
            scale *= 10
        }
        return upTo
    }

    /// The first candidate layout that parses every non-missing value, with a note on ambiguity.
    static func inferDateFormat(_ doc: CSVDocument, _ j: Int) -> (DateTimeFormat, String?, Double, Double)? {
        var matching: [(DateTimeFormat, Double, Double)] = []
        for format in DateTimeFormat.candidates {
            var ok = true
            var i = 0
            var lo = Double.infinity, hi = -Double.infinity
            doc.withFields { fa in
                while ok && i < doc.rowCount {
                    fa.with(i, j) { f in
                        if FieldParsing.isMissing(f) { return }
                        if let v = format.parse(f) { lo = Swift.min(lo, v); hi = Swift.max(hi, v) } else { ok = false }
                    }
                    i += 1
                }
            }
            if ok { matching.append((format, lo, hi)) }
            if matching.count >= 2 { break }
        }
        guard let first = matching.first else { return nil }
        if matching.count == 2 {
            // Both day-first and month-first read every value: the order is ambiguous.
            let slashFirst = first.0.pattern.contains("/")
            let chosen = matching.first { slashFirst ? $0.0.pattern.hasPrefix("%m") : $0.0.pattern.hasPrefix("%d") } ?? first
            return (chosen.0, "day and month order is ambiguous (no value above 12); read as \(chosen.0.pattern) — edit the format if wrong", chosen.1, chosen.2)
        }
        return (first.0, nil, first.1, first.2)
    }
}

/// What a column's name suggests about its content.
public enum NameHeuristics {
    public enum NameClass: Equatable { case personName, recordID, contact, other }

    public static func tokens(_ name: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var prevLower = false
        for ch in name {
            if ch.isLetter || ch.isNumber {
                if ch.isUppercase && prevLower { out.append(cur); cur = "" }
                cur.append(Character(ch.lowercased()))
                prevLower = ch.isLowercase
            } else {
                if !cur.isEmpty { out.append(cur) }
                cur = ""; prevLower = false
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    public static func classify(_ name: String) -> NameClass {
        let t = tokens(name)
        let set = Set(t)
        let nameWords: Set<String> = ["first", "last", "given", "family", "middle", "full", "patient", "maiden", "person", "fake"]
        if set.contains("surname") || set.contains("firstname") || set.contains("lastname") || set.contains("fullname") { return .personName }
        if t == ["name"] || (set.contains("name") && !set.isDisjoint(with: nameWords)) { return .personName }
        if set.contains("email") || set.contains("phone") || set.contains("fax") || set.contains("address") || set.contains("ssn") { return .contact }
        if t.last == "id" || t == ["id"] || set.contains("mrn") || set.contains("uuid") || set.contains("guid")
            || (set.contains("record") && (set.contains("number") || set.contains("no"))) { return .recordID }
        return .other
    }
}
