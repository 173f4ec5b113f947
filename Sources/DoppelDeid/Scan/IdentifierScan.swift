import Foundation
import DoppelMath
import DoppelData

/// One kind of identifier found in a column.
public struct ScanFinding: Codable, Sendable, Equatable {
    public var category: PHICategory
    public var kind: PHIKind
    /// How sure the scan is, 0–1: 0.99 when the column name and its values agree, 0.95 when most values
    /// have a format that is almost never anything else, 0.75 from the column name alone (or weak value
    /// formats the name supports), 0.6 when only the uniqueness of the values suggests an identifier.
    public var confidence: Double
    /// Number of non-missing values that match the kind's format (for text: that contain one).
    public var matchingValues: Int
    /// True when the identifiers are inside free text rather than the whole value.
    public var inText: Bool
    /// Why, in words (never quoting a value).
    public var evidence: [String]
}

/// The scan of one column.
public struct ColumnScan: Codable, Sendable, Equatable {
    public var column: String
    public var nonMissing: Int
    public var distinct: Int
    public var findings: [ScanFinding]
    /// The finding `deid` acts on: the whole-value one, if any.
    public var primary: ScanFinding? { findings.first { !$0.inText } }
}

/// The result of `doppel scan`: which columns hold which of the 18 Safe Harbor identifiers.
public struct ScanReport: Codable, Sendable, Equatable {
    public var file: String
    public var rows: Int
    public var columns: [ColumnScan]

    public func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }
}

/// Finds direct identifiers in a table, column by column, from column names and values.
///
/// Every non-missing value is classified by ``ValueClassifier``; a column is assigned a kind when its
/// name and at least half its values agree, when 80% of its values have one strong format, from its
/// name alone (lower confidence), or — for codes every row has its own of — by uniqueness. Columns of
/// free text (long values with spaces) are searched inside the text with ``TextScanner``.
public enum IdentifierScan {
    /// Scans the columns at `columns` (every column when nil), in that order. With `sampleRows`, at most
    /// about that many rows are read, evenly spaced through the file (every k-th row): enough to tell a
    /// column of names or e-mail addresses, at a fixed cost on a million-row table.
    public static func scan(_ doc: CSVDocument, schema: Schema? = nil, columns: [Int]? = nil, sampleRows: Int? = nil) throws -> ScanReport {
        let schema = schema ?? SchemaInference.infer(doc)
        let which = columns ?? Array(0..<doc.columnCount)
        let step = sampleRows.map { Swift.max(1, doc.rowCount / Swift.max($0, 1)) } ?? 1
        let cols = try parallelMap(which.count) { k in scanColumn(doc, which[k], spec: schema[doc.header[which[k]]], step: step) }
        return ScanReport(file: (doc.path as NSString).lastPathComponent, rows: doc.rowCount, columns: cols)
    }

    static func scanColumn(_ doc: CSVDocument, _ j: Int, spec: ColumnSpec?, step: Int = 1) -> ColumnScan {
        let name = doc.header[j]
        let n = doc.rowCount
        var strong = [PHIKind: Int](), weak = [PHIKind: Int]()
        var nonMissing = 0, withSpaces = 0, totalLength = 0, codeLike = 0, over89 = 0, integral = 0, leadingZeros = 0, zipLike = 0, nameShaped = 0
        let byRole = ColumnHints.namesAPersonByRole(name)
        var hashes = Set<UInt64>()
        hashes.reserveCapacity(min(n, 1 << 16))
        doc.withFields { fa in
            for i in stride(from: 0, to: n, by: step) {
                fa.with(i, j) { f in
                    if FieldParsing.isMissing(f) { return }
                    nonMissing += 1
                    totalLength += f.count
                    if f.contains(32) { withSpaces += 1 }
                    if f.count > 1, f[0] == 48, ValuePatterns.isDigit(f[1]) { leadingZeros += 1 }
                    if [3, 4, 5, 9].contains(f.count), f.allSatisfy(ValuePatterns.isDigit) { zipLike += 1 }
                    if byRole, NamePatterns.assess(f).shape, f.contains(32) || f.contains(44) { nameShaped += 1 }
                    hashes.insert(fnv1a(UnsafeRawBufferPointer(f)))
                    if f.count <= 40, !f.contains(32), f.contains(where: ValuePatterns.isDigit) { codeLike += 1 }
                    var dec = 0
                    if let v = FieldParsing.parseNumber(f, decimals: &dec) {
                        if v > 89 { over89 += 1 }
                        if v == v.rounded() { integral += 1 }
                    }
                    if let m = ValueClassifier.classify(f) {
                        if m.strong { strong[m.kind, default: 0] += 1 } else { weak[m.kind, default: 0] += 1 }
                    }
                }
            }
        }
        let m = max(nonMissing, 1)
        let distinct = hashes.count
        var findings: [ScanFinding] = []
        let hint = ColumnHints.kind(forColumn: name)
        func share(_ k: PHIKind) -> Double { Double(strong[k, default: 0] + weak[k, default: 0]) / Double(m) }
        func pct(_ x: Double) -> String { String(format: "%.0f%%", 100 * x) }
        let bestStrong = strong.max { a, b in a.value != b.value ? a.value < b.value : a.key.rawValue > b.key.rawValue }
        let bestWeak = weak.max { a, b in a.value != b.value ? a.value < b.value : a.key.rawValue > b.key.rawValue }
        let datetime = spec?.kind == .datetime
        let numeric = spec?.kind == .numeric
        let uniqueRatio = Double(distinct) / Double(m)

        if nonMissing > 0 {
            if let h = hint {
                var s = share(h)
                if h == .date && datetime { s = 1 }
                if h == .fax { s = share(.phone) }
                if h == .vehicle || h == .license || h == .healthPlan || h == .account || h == .medicalRecord || h == .device || h == .otherID {
                    // numbers without a published format: the name decides, the values must look like codes
                    s = max(s, Double(codeLike) / Double(m) >= 0.9 ? 0.5 : 0)
                    if uniqueRatio < 0.05 || (distinct <= 2 && nonMissing > 10) { s = 0 }   // a few repeated values: a category, not an identifier
                    if numeric && uniqueRatio < 0.3 { s = 0 }                                // numbers that repeat a lot are counts or measures
                }
                if h == .age { s = numeric && over89 > 0 ? 1 : 0 }
                if h == .zip, numeric, integral == nonMissing, zipLike >= nonMissing * 9 / 10 { s = 1 }
                if h == .dayNumber { s = numeric && integral == nonMissing ? 1 : 0 }
                if h == .city || h == .streetAddress { s = max(s, numeric ? 0 : 0.5) }
                if h == .personName { s = max(s, numeric ? 0 : 0.5) }
                if h == .personName, byRole { s = Double(nameShaped) / Double(m) >= 0.5 ? 0.5 : 0 }
                if s >= 0.5 {
                    var ev = ["the column name suggests \(h.rawValue)"]
                    let matches: Int
                    var byFormat = true   // the matches have a published format (not just code-like values)
                    switch h {
                    case .age: matches = over89; ev.append("\(over89) values over 89")
                    case .zip where numeric: matches = zipLike; ev.append("whole numbers of 3–5 or 9 digits (ZIP codes, leading zeros dropped)")
                    case .dayNumber: matches = nonMissing; ev.append("whole numbers: a day count tied to the patient's timeline")
                    default:
                        let formatted = h == .date && datetime ? nonMissing : strong[h == .fax ? .phone : h, default: 0] + weak[h == .fax ? .phone : h, default: 0]
                        if formatted > 0 {
                            matches = formatted
                            ev.append("\(pct(Double(matches) / Double(m))) of values have the \(h == .fax ? "phone" : h.rawValue) format")
                        } else if codeLike > 0 {
                            // No published format: what counts is that the values are codes (the name says what kind).
                            matches = codeLike; byFormat = false
                            ev.append("\(pct(Double(codeLike) / Double(m))) of values are \(integral == nonMissing ? "whole numbers" : "codes") (\(pct(uniqueRatio)) distinct), consistent with the name")
                        } else {
                            matches = 0
                            ev.append("values look like words, consistent with the name")
                        }
                    }
                    findings.append(ScanFinding(category: h.category, kind: h, confidence: matches > 0 && byFormat && h != .age && h != .dayNumber ? 0.99 : 0.75,
                                                matchingValues: matches, inText: false, evidence: ev))
                }
            }
            if findings.isEmpty, let (k, c) = bestStrong, Double(c) / Double(m) >= 0.5 {
                findings.append(ScanFinding(category: k.category, kind: k, confidence: 0.95, matchingValues: c + weak[k, default: 0], inText: false,
                                            evidence: ["\(pct(Double(c) / Double(m))) of values have the \(k.rawValue) format"]))
            }
            if findings.isEmpty, datetime {
                findings.append(ScanFinding(category: .date, kind: .date, confidence: 0.95, matchingValues: nonMissing, inText: false,
                                            evidence: ["every value is a date (\(spec?.format?.pattern ?? "?"))"]))
            }
            // Weak formats decide only with the column's support: most values fit, many are distinct, and
            // five-digit numbers count as ZIP codes only when some keep a leading zero (a code, not a quantity).
            if findings.isEmpty, let (k, c) = bestWeak, Double(c + strong[k, default: 0]) / Double(m) >= (k == .personName ? 0.7 : 0.9),
               uniqueRatio >= (k == .personName ? 0.01 : 0.3), k != .date || !numeric || spec?.integer != true, k != .zip || leadingZeros > 0 {
                findings.append(ScanFinding(category: k.category, kind: k, confidence: 0.75, matchingValues: c + strong[k, default: 0], inText: false,
                                            evidence: ["\(pct(Double(c + strong[k, default: 0]) / Double(m))) of values fit the \(k.rawValue) format", "\(pct(uniqueRatio)) distinct"]))
            }
            let codeKinds: Set<PHIKind> = [.vehicle, .license, .healthPlan, .account, .medicalRecord, .device, .otherID]
            let formatKinds: Set<PHIKind> = [.personName, .city, .streetAddress, .phone, .fax, .email, .url, .ip, .photo, .biometric, .ssn, .zip]
            if findings.isEmpty, let h = hint, h != .age, h != .dayNumber, !(numeric && formatKinds.contains(h)), !(h == .personName && byRole),
               !codeKinds.contains(h) || !(uniqueRatio < 0.05 || (distinct <= 2 && nonMissing > 10) || (numeric && uniqueRatio < 0.3)) {
                findings.append(ScanFinding(category: h.category, kind: h, confidence: 0.6, matchingValues: 0, inText: false,
                                            evidence: ["the column name suggests \(h.rawValue), but the values do not confirm it"]))
            }
            // (numbers are identifiers only when the column name says so: distinct amounts are common)
            if findings.isEmpty, nonMissing >= 20, Double(codeLike) / Double(m) >= 0.9, spec?.kind != .numeric, uniqueRatio >= 0.95 {
                findings.append(ScanFinding(category: .otherID, kind: .otherID, confidence: 0.6, matchingValues: nonMissing, inText: false,
                                            evidence: ["\(pct(uniqueRatio)) of values are distinct codes: each points at one record"]))
            }
            // Free text: look inside.
            // (short notes count: "SSN: 219099998", "spoke with jennifer lopez")
            let texty = Double(withSpaces) / Double(m) >= 0.5 && Double(totalLength) / Double(m) >= 12
            if texty, findings.first.map({ $0.kind == .streetAddress || $0.confidence < 0.9 }) ?? true {
                if findings.first?.kind != .streetAddress { findings.removeAll() }
                findings += textFindings(doc, j, step: step)
            }
        }
        return ColumnScan(column: name, nonMissing: nonMissing, distinct: distinct, findings: findings)
    }

    static func textFindings(_ doc: CSVDocument, _ j: Int, step: Int = 1) -> [ScanFinding] {
        var counts = [PHIKind: Int]()
        doc.withFields { fa in
            for i in stride(from: 0, to: doc.rowCount, by: step) {
                fa.with(i, j) { f in
                    if FieldParsing.isMissing(f) { return }
                    var seen = Set<PHIKind>()
                    for s in TextScanner.spans(f) where seen.insert(s.kind).inserted { counts[s.kind, default: 0] += 1 }
                }
            }
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }.map { k, c in
            ScanFinding(category: k.category, kind: k, confidence: 0.9, matchingValues: c, inText: true,
                        evidence: ["free text: \(c) values contain \(k.rawValue)"])
        }
    }
}
