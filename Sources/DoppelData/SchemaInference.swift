import Foundation
import DoppelMath

/// Infers a ``Schema`` from a parsed CSV file.
///
/// Rules, in order, over a column's non-missing values:
/// 1. all missing → categorical with no categories;
/// 2. all numbers → identifier when the name looks like an id (`patient_id`, `pid`, `MRN`, `patient`,
///    `NHS number`) and its whole numbers identify (``identifies(distinct:ratio:)``);
///    categorical when at most ``maxIntegerLevels`` distinct values, each seen twice on average (codes
///    such as 0/1, 1–4 stages or 0/0.5/1); numeric otherwise, with integer-ness, decimals and bounds;
/// 3. all boolean spellings → categorical (boolean);
/// 4. all dates in one layout → datetime (day-first and month-first are told apart by values above 12;
///    when every value is ambiguous, `/` is read month-first and `-` / `.` day-first, noted in the schema);
/// 5. other text → identifier when the name is a person's name or an id, or when nearly every value is
///    unique and short (codes); free text when long, spaced and mostly unique; categorical otherwise.
public enum SchemaInference {
    /// Whole-number columns with at most this many distinct values are categorical.
    public static let maxIntegerLevels = 5

    /// Values that may fail to read as numbers (or as dates) in a column that is otherwise numeric (or
    /// dates), so that one typo (`abc` in an age column) leaves the column's kind alone: 1 in 200 of the
    /// present values, none in a column with fewer than 100. The column keeps its kind and a note names
    /// the first such line; reading the table for fit or split then stops there with the line, column and
    /// value, so the user fixes or blanks it instead of getting a column silently turned into categories
    /// or free text.
    public static func strayTolerance(present: Int) -> Int { present >= 100 ? Swift.max(1, present / 200) : 0 }

    public static func infer(_ doc: CSVDocument) -> Schema {
        Schema(columns: (try? parallelMap(doc.columnCount) { inferColumn(doc, $0) }) ?? [])
    }

    static func inferColumn(_ doc: CSVDocument, _ j: Int) -> ColumnSpec {
        let name = doc.header[j]
        let n = doc.rowCount
        var missing = 0
        // allNumeric: every value a number, bar up to strayTolerance strays (counted in stray); a leading
        // zero ends it outright (codes).
        var allNumeric = true, allIntegral = true, allWhole = true, stray = 0, firstStrayRow = -1
        var countingSkipped = false   // distinct values not interned while the column looked numeric
        var numberLevels = Set<Double>()   // distinct numbers, up to maxIntegerLevels + 1 (codes or quantities?)
        var fewestWritten = Int.max        // the fewest decimals a number is written with
        // Once strays end allNumeric, the mix is still counted (numbers, strays) to say why in a note.
        var strayEnded = false, numbersSeen = 0
        var decimalCounts = [Int](repeating: 0, count: 18)   // values by decimals written (17: full precision)
        var lo = Double.infinity, hi = -Double.infinity
        var interner = ByteInterner(capacity: 256)
        var totalLength = 0, withSpaces = 0, decimalComma = 0, withSign = 0
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
                } else if !distinctCap && !skipDistinct { countingSkipped = true }
                totalLength += f.count
                if f.contains(0x20) { withSpaces += 1 }
                // A value read as a number has neither a decimal comma nor a sign: only the others are checked.
                var readAsNumber = false
                defer {
                    if !readAsNumber {
                        if SchemaInference.hasDecimalComma(f) { decimalComma += 1 } else if SchemaInference.hasUnitSign(f) { withSign += 1 }
                    }
                }
                if allNumeric {
                    var dec = 0
                    if let v = FieldParsing.parseNumber(f, decimals: &dec) {
                        readAsNumber = true
                        numbersSeen += 1
                        if dec >= 0 { fewestWritten = Swift.min(fewestWritten, dec) }
                        // Precision: trailing zeros ("97.0", "0.300") add none — whole numbers written as "97.0"
                        // must not get synthetic fractions — and float-representation noise
                        // (6.300000000000001) counts as the shortest decimals that reproduce the value.
                        var significant = dec
                        if significant > 0 { var k = f.count - 1; while significant > 0, k > 0, f[k] == 0x30 { significant -= 1; k -= 1 } }
                        if significant > 6 { significant = SchemaInference.significantDecimals(v, upTo: significant) }
                        if significant >= 5 { significant = SchemaInference.withoutRoundingNoise(f, decimals: significant) }
                        decimalCounts[dec < 0 ? 17 : Swift.min(significant, 17)] += 1
                        if dec > 6 { dec = SchemaInference.significantDecimals(v, upTo: dec) }
                        if v != v.rounded() || dec != 0 { allIntegral = false }
                        if v != v.rounded() { allWhole = false }
                        lo = Swift.min(lo, v); hi = Swift.max(hi, v)
                        if numberLevels.count <= maxIntegerLevels { numberLevels.insert(v) }
                        // a leading zero ("02134", "007") marks a code, not a quantity; so do 16 digits or more
                        // in a whole number, which a Double no longer holds exactly
                        if f.count > 1, f[0] == 0x30, f[1] &- 0x30 < 10 { allNumeric = false }
                        if dec == 0, f.count >= 16, f.reduce(0, { $0 + ($1 &- 0x30 < 10 ? 1 : 0) }) >= 16 { allNumeric = false }
                    } else {
                        stray += 1
                        if firstStrayRow < 0 { firstStrayRow = i }
                        if stray > SchemaInference.strayTolerance(present: n) { allNumeric = false; strayEnded = true }
                    }
                } else if strayEnded {
                    var dec = 0
                    if FieldParsing.parseNumber(f, decimals: &dec) != nil { numbersSeen += 1; readAsNumber = true } else { stray += 1 }
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
        if allNumeric && stray > SchemaInference.strayTolerance(present: present) { allNumeric = false }
        // A column named like an identifier is never read as numbers with strays: its values must not
        // reach an error message, which the identifier kind guarantees (a stray makes it text here).
        if allNumeric && stray > 0 && nameClass != .other { allNumeric = false }
        if allNumeric && stray > 0 && numberLevels.count <= maxIntegerLevels {
            // A handful of numeric codes and a stray or two (0/1 and one `abc`): codes, the strays left out
            // so that reading the table stops at them, as for numbers.
            doc.withFields { fa in for i in 0..<n { fa.with(i, j) { f in if !FieldParsing.isMissing(f) { _ = interner.intern(f) } } } }
            let codes = interner.strings.filter { text in var d = 0; return Array(text.utf8).withUnsafeBufferPointer { FieldParsing.parseNumber($0, decimals: &d) } != nil }
            if codes.count * 2 <= present - stray {
                spec.kind = .categorical
                spec.categories = codes.sorted(by: numericOrder)
                spec.distinct = codes.count
                spec.note = strayNote(stray, "a number", line: doc.rowLines[firstStrayRow])
                return spec
            }
        }
        if allNumeric && stray == 0 {
            let distinctRatio = Double(interner.count) / Double(present)
            if nameClass == .contact {
                spec.kind = .identifier; spec.identifierType = "contact"; spec.distinct = nil
                spec.note = "column name says it holds contact details"
                return spec
            }
            // whole numbers, even when written "1000.0" (a float export)
            if nameClass == .recordID, allWhole, identifies(distinct: interner.count, ratio: distinctRatio) {
                spec.kind = .identifier; spec.identifierType = "record number"
                spec.distinct = nil
                spec.note = "id-like name with \(Int(distinctRatio * 100))% distinct values"
                return spec
            }
            if allIntegral, interner.count <= maxIntegerLevels, interner.count * 2 <= present {
                spec.kind = .categorical
                spec.categories = interner.strings.sorted(by: numericOrder)
                spec.note = "whole numbers with \(interner.count) distinct values: treated as codes"
                return spec
            }
            // Likewise a handful of decimals, each written one way (pbc's edema: 0, 0.5, 1), so that no
            // synthetic 0.3 appears between them.
            if !allIntegral, interner.count <= maxIntegerLevels, interner.count == numberLevels.count, interner.count * 2 <= present {
                spec.kind = .categorical
                spec.categories = interner.strings.sorted(by: numericOrder)
                spec.note = "\(interner.count) distinct numbers: treated as codes"
                return spec
            }
        }
        if allNumeric, stray == 0 || numberLevels.count > maxIntegerLevels {
            // Numbers (bar a few strays, when the numbers are not a handful of codes).
            spec.kind = .numeric
            spec.integer = allIntegral
            if interner.count > maxIntegerLevels { spec.distinct = nil }   // counting stopped there: not the number of values
            let decimals = allIntegral ? 0 : SchemaInference.coveringDecimals(decimalCounts)
            spec.decimals = decimals >= 17 ? nil : decimals
            if let d = spec.decimals, fewestWritten != d, fewestWritten <= 9 { spec.writtenDecimals = fewestWritten }
            if let most = decimalCounts.lastIndex(where: { $0 > 0 }), most > decimals {
                let share = Double(decimalCounts[(decimals + 1)...].reduce(0, +)) / Double(present)
                spec.note = String(format: "%.2g%% of values have more decimals than the %d kept (up to %@); synthetic values are written with %d",
                                   100 * share, decimals, most >= 17 ? "full precision" : "\(most)", decimals)
            }
            spec.min = lo; spec.max = hi
            if stray > 0 {
                spec.note = strayNote(stray, "a number", line: doc.rowLines[firstStrayRow])
            }
            return spec
        }
        let dateLayout = maybeDate ? inferDateFormat(doc, j) : nil
        var mixedDates: String? = nil
        if maybeDate, dateLayout == nil, nameClass == .other {
            // dates, but in several layouts: say which, since the column is then not modelled as dates
            var counts = [Int](repeating: 0, count: DateTimeFormat.candidates.count), dated = 0
            doc.withFields { fa in
                for i in 0..<n {
                    fa.with(i, j) { f in
                        if FieldParsing.isMissing(f) { return }
                        var any = false
                        for (k, c) in DateTimeFormat.candidates.enumerated() where c.parse(f) != nil { counts[k] += 1; any = true }
                        if any { dated += 1 }
                    }
                }
            }
            if dated * 10 >= present * 9 {
                let layouts = counts.indices.filter { counts[$0] > 0 }.sorted { counts[$0] > counts[$1] }.prefix(3).map { DateTimeFormat.candidates[$0].pattern }
                mixedDates = "\(dated * 100 / present)% of values are dates, but in several layouts (\(layouts.joined(separator: ", "))): " + datesAdvice
            }
        }
        if let date = dateLayout {
            spec.kind = .datetime; spec.format = date.format
            spec.min = date.lo; spec.max = date.hi
            spec.note = date.note
            if date.stray > 0 {
                spec.note = strayNote(date.stray, "a date in \(date.format.pattern)", line: doc.rowLines[date.firstStrayRow])
                    + (date.note.map { "; \($0)" } ?? "")
            }
            spec.distinct = nil
            return spec
        }
        if skipDistinct || countingSkipped {
            // Not numbers or dates after all: count the values now.
            skipDistinct = false
            doc.withFields { fa in
                for i in 0..<n { fa.with(i, j) { f in if !FieldParsing.isMissing(f) { _ = interner.intern(f) } } }
            }
            spec.distinct = interner.count
        }
        let distinctRatio = Double(interner.count) / Double(present)
        let strings = interner.strings
        // Mostly numbers, with too many other values to be strays (a censored lab value such as `<0.5`),
        // numbers with a decimal comma, or dates in several layouts: say so, since the column is then
        // not modelled as numbers or dates.
        let misread: String? = mixedDates ?? (decimalComma * 10 >= present * 9 && nameClass == .other
            ? "\(decimalComma * 100 / present)% of values are numbers written with a decimal comma (4,48), which Doppel does not read as numbers: "
                + "convert them to decimal points (as in 4.48) — " + numbersAdvice
            : withSign * 10 >= present * 9 && nameClass == .other
            ? "\(withSign * 100 / present)% of values are numbers written with a currency or percent sign ($8585.66, 93%), which Doppel does not read as numbers: "
                + "remove the sign (and say the unit in the column's name) — " + numbersAdvice
            : strayEnded && nameClass == .other && numbersSeen >= 4 * stray
            ? String(format: "%.0f%% of values are numbers and ", 100 * Double(numbersSeen) / Double(present))
                + "\(counted(stray, "value")) \(stray == 1 ? "is" : "are") not (the first on line \(doc.rowLines[firstStrayRow])): " + numbersAdvice
            : nil)
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
        if nameClass == .recordID, identifies(distinct: interner.count, ratio: distinctRatio) {
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
            spec.note = misread ?? "long, mostly unique text"
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
            if let misread { spec.note = misread + " (\(spec.kind == .text ? "now left unmodelled" : "now treated as an identifier"))" }
            return spec
        }
        if distinctRatio >= 0.95, present >= 20 {
            spec.kind = .identifier; spec.identifierType = "code"; spec.distinct = nil
            spec.note = misread.map { $0 + " (now treated as an identifier)" } ?? "\(Int(distinctRatio * 100))% of values are unique"
            return spec
        }
        spec.kind = .categorical
        spec.categories = Array(Set(strings)).sorted()   // one category per text, whatever its Unicode form
        if let misread { spec.note = misread + " (now read as categories)" }
        return spec
    }

    /// A number with a currency sign before it or a percent sign after it: `$8585.66`, `€12`, `93%`,
    /// `-4.5%` (the sign bytes: `$`, `%`, and the UTF-8 of `€` and `£`).
    static func hasUnitSign(_ f: UnsafeBufferPointer<UInt8>) -> Bool {
        var lo = 0, hi = f.count
        if hi > 0, f[hi - 1] == 0x25 { hi -= 1 }
        else if hi > 0, f[0] == 0x24 { lo = 1 }
        else if hi > 2, f[0] == 0xE2, f[1] == 0x82, f[2] == 0xAC { lo = 3 }   // €
        else if hi > 1, f[0] == 0xC2, f[1] == 0xA3 { lo = 2 }                 // £
        else { return false }
        guard hi > lo else { return false }
        var dec = 0
        return FieldParsing.parseNumber(UnsafeBufferPointer(rebasing: f[lo..<hi]), decimals: &dec) != nil
    }

    /// A number written with a decimal comma: optional minus, digits, one comma, digits ("4,48", "-0,5";
    /// not "1,234", a thousands separator, which is read).
    static func hasDecimalComma(_ f: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = f.first == 0x2D ? 1 : 0, before = 0, after = 0, commas = 0
        while i < f.count {
            let b = f[i]
            if b &- 0x30 < 10 { if commas == 0 { before += 1 } else { after += 1 } } else if b == 0x2C { commas += 1 } else { return false }
            i += 1
        }
        return commas == 1 && before > 0 && after > 0 && after != 3
    }

    /// Whether a column named like a record number holds one (an identifier): at least 30% of its values
    /// distinct, or more than 100 distinct values (a patient's number over many visits). A handful of
    /// values repeated over many rows (`site_id`, `visit_no`) are categories.
    static func identifies(distinct: Int, ratio: Double) -> Bool { ratio >= 0.3 || distinct > 100 }

    /// The note on a column that keeps its kind despite `count` stray values, the first on `line`.
    static func strayNote(_ count: Int, _ expected: String, line: some BinaryInteger) -> String {
        "\(counted(count, "value")) \(count == 1 ? "is" : "are") not \(expected) (first on line \(line)): fix or blank \(count == 1 ? "it" : "them"); fit and split stop there"
    }

    /// The end of the note on a column that is mostly numbers but was not read as numbers.
    static let numbersAdvice = "make them numbers or blank them to model the column as numbers"

    /// The end of the note on a column of dates in several layouts.
    static let datesAdvice = "write them in one layout to model the column as dates"

    /// Whether inference gave `spec` another kind than numeric or datetime because of how some of its
    /// values are written (a few non-numbers, decimal commas, several date layouts; its note says so):
    /// worth a warning where the inferred schema is used without being looked at.
    public static func isMisread(_ spec: ColumnSpec) -> Bool { spec.note.map { $0.contains(numbersAdvice) || $0.contains(datesAdvice) } ?? false }

    /// Numeric codes in the order of their values.
    static func numericOrder(_ a: String, _ b: String) -> Bool { (Double(a) ?? 0) < (Double(b) ?? 0) }

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

    /// The decimals of a value written with rounding noise from an earlier computation — `9.299999`,
    /// `8.800001`, whose last digits are a run of four or more 9s, or three or more 0s and one digit — as
    /// the decimals of the value it stands for (9.3, 8.8: one), so that a few such values (thyroid0387's
    /// TBG, 4 of 349) do not give every synthetic value six decimals. Other values keep `decimals`.
    static func withoutRoundingNoise(_ f: UnsafeBufferPointer<UInt8>, decimals: Int) -> Int {
        guard decimals < f.count else { return decimals }
        let fraction = Array(f[(f.count - decimals)...])
        guard fraction.allSatisfy({ $0 &- 0x30 < 10 }) else { return decimals }
        var nines = 0
        while nines < fraction.count, fraction[fraction.count - 1 - nines] == 0x39 { nines += 1 }
        var kept: Int
        if nines >= 4 { kept = fraction.count - nines }
        else {
            var zeros = 0
            while zeros + 1 < fraction.count, fraction[fraction.count - 2 - zeros] == 0x30 { zeros += 1 }
            guard zeros >= 3 else { return decimals }
            kept = fraction.count - 1 - zeros
        }
        while kept > 0, fraction[kept - 1] == 0x30 { kept -= 1 }
        return kept
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

    struct DateLayout {
        var format: DateTimeFormat
        var note: String?
        var lo: Double, hi: Double
        /// Values the layout does not read (at most ``strayTolerance(present:)``), and the first one's row.
        var stray: Int, firstStrayRow: Int
    }

    /// The candidate layout that reads the most non-missing values, all but at most
    /// ``strayTolerance(present:)`` of them (the first such candidate on a tie), with a note on ambiguity.
    static func inferDateFormat(_ doc: CSVDocument, _ j: Int) -> DateLayout? {
        var present = 0
        doc.withFields { fa in for i in 0..<doc.rowCount { fa.with(i, j) { f in if !FieldParsing.isMissing(f) { present += 1 } } } }
        let tolerance = strayTolerance(present: present)
        var matching: [DateLayout] = []
        for format in DateTimeFormat.candidates {
            var stray = 0, firstStray = -1
            var i = 0
            var lo = Double.infinity, hi = -Double.infinity
            doc.withFields { fa in
                while stray <= tolerance && i < doc.rowCount {
                    fa.with(i, j) { f in
                        if FieldParsing.isMissing(f) { return }
                        if let v = format.parse(f) { lo = Swift.min(lo, v); hi = Swift.max(hi, v) } else {
                            stray += 1; if firstStray < 0 { firstStray = i }
                        }
                    }
                    i += 1
                }
            }
            if stray <= tolerance && lo <= hi { matching.append(DateLayout(format: format, note: nil, lo: lo, hi: hi, stray: stray, firstStrayRow: firstStray)) }
        }
        guard let fewest = matching.map(\.stray).min() else { return nil }
        let best = matching.filter { $0.stray == fewest }
        let first = best[0]
        if best.count >= 2 {
            // Both day-first and month-first read the same values: the order is ambiguous.
            let slashFirst = first.format.pattern.contains("/")
            var chosen = best.first { slashFirst ? $0.format.pattern.hasPrefix("%m") : $0.format.pattern.hasPrefix("%d") } ?? first
            chosen.note = "day and month order is ambiguous (no value above 12); read as \(chosen.format.pattern) — edit the format if wrong"
            return chosen
        }
        return first
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

    /// Names that are record numbers on their own.
    static let recordTokens: Set<String> = ["mrn", "uuid", "guid", "pid", "ptid", "patid", "patientid", "subjid", "subjectid",
                                            "caseid", "nhs", "ssn", "upn", "urn", "ehrid", "emrid"]
    /// A person in a table of visits: the column holds their name or their number.
    static let personTokens: Set<String> = ["patient", "pt", "subject", "client", "participant", "person", "member", "nom", "nombre"]
    static let numberTokens: Set<String> = ["number", "no", "num", "nr", "nbr"]
    /// Whose number it is: a record of one person.
    static let recordOwners: Set<String> = ["record", "case", "patient", "subject", "member", "account", "medical", "insurance",
                                            "policy", "nhs", "health", "chart", "hospital", "admission", "encounter", "visit", "specimen", "sample"]

    public static func classify(_ name: String) -> NameClass {
        let t = tokens(name)
        let set = Set(t)
        let nameWords: Set<String> = ["first", "last", "given", "family", "middle", "full", "patient", "maiden", "person", "fake"]
        if set.contains("surname") || set.contains("firstname") || set.contains("lastname") || set.contains("fullname") { return .personName }
        if t == ["name"] || (set.contains("name") && !set.isDisjoint(with: nameWords)) { return .personName }
        if !set.isDisjoint(with: ["email", "phone", "fax", "address", "ssn", "tel", "telephone", "mobile", "cellphone"]) { return .contact }
        if t.last == "id" || t == ["id"] || !set.isDisjoint(with: recordTokens) { return .recordID }
        // "patient", "subject", "case_no", "NHS number", "Versichertennummer": a person or their number
        if t.count <= 2, !set.isDisjoint(with: personTokens), t.count == 1 || !set.isDisjoint(with: numberTokens) { return .recordID }
        if !set.isDisjoint(with: numberTokens), !set.isDisjoint(with: recordOwners) { return .recordID }
        if t.count == 1, let w = t.first, ["nummer", "numero", "número"].contains(where: { w.hasSuffix($0) && w.count > $0.count + 3 }) { return .recordID }
        return .other
    }
}
