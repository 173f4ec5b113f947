import Foundation
import Crypto
import DoppelMath
import DoppelData

/// Bytes as a dictionary key, hashed once with FNV-1a (Swift's Hasher walks byte by byte).
struct BytesKey: Hashable, Sendable {
    let bytes: [UInt8]
    let hash: UInt64
    init(_ b: [UInt8]) { bytes = b; hash = b.withUnsafeBytes { fnv1a($0) } }
    init(_ b: UnsafeBufferPointer<UInt8>) { self.init(Array(b)) }
    func hash(into h: inout Hasher) { h.combine(hash) }
    static func == (a: BytesKey, b: BytesKey) -> Bool { a.hash == b.hash && a.bytes == b.bytes }
}

/// What `deid` does to one column.
public enum DeidMethod: String, Codable, CaseIterable, Sendable {
    /// Leave the values as they are.
    case keep
    /// Remove every value (the column stays, empty).
    case suppress
    /// Replace each value by a keyed fake of its kind (names, phones, emails, SSNs, record and other numbers).
    case pseudonym
    /// Move dates (and day counts) by the person's keyed offset, so intervals within a person are kept.
    case shift
    /// Keep only the year of a date.
    case year
    /// Keep the first three digits of a ZIP code; the restricted areas become 000.
    case zip3
    /// Ages over 89 become "90+".
    case age90 = "age-90plus"
    /// Ages over 89 become 90 (the column stays numeric; 90 then means "90 or older").
    case ageTopcode = "age-topcode"
    /// Find identifiers inside free text and replace each in place.
    case text
}

/// Options of a de-identification run.
public struct DeidOptions: Sendable {
    public enum Dates: String, Sendable, Codable { case shift, year }
    /// Default treatment of date columns and dates in text.
    public var dates: Dates = .shift
    /// Largest date shift in days (shifts are drawn from ±[1, range]).
    public var shiftRangeDays = 365
    /// The column that identifies a person, for consistent date shifts; nil picks the scan's record number.
    public var patientColumn: String?
    /// Per-column methods that replace the scan's choice.
    public var overrides: [String: DeidMethod] = [:]
    public init() {}
}

/// One column in the audit file: what was done, never the values.
public struct DeidAuditColumn: Codable, Sendable, Equatable {
    public var column: String
    public var category: PHICategory?
    public var kind: PHIKind?
    public var confidence: Double?
    public var method: DeidMethod
    /// Values that were changed (or removed).
    public var changed: Int
    public var missing: Int
    /// Fakes that happened to equal a real value in the input and were drawn again (distinct values for
    /// the one-to-one kinds — record and other numbers, SSNs, emails —, cells for the others).
    public var redrawn: Int
    /// Values that could not be read as their kind and were removed rather than left in place.
    public var removedUnreadable: Int
    /// Birth years withheld in year mode because they show an age over 89.
    public var birthYearsWithheld: Int
    /// For text columns: identifiers replaced, by kind.
    public var textReplacements: [String: Int]?
    public var overridden: Bool
}

/// The audit record of a `deid` run.
public struct DeidAudit: Codable, Sendable, Equatable {
    public var input: String
    public var inputSHA256: String
    public var output: String
    public var rows: Int
    /// Identifies the key used (an HMAC of a fixed label), never the key itself.
    public var keyFingerprint: String
    public var dates: DeidOptions.Dates
    public var shiftRangeDays: Int
    public var patientColumn: String?
    public var columns: [DeidAuditColumn]
    public var notes: [String]

    public func jsonData() throws -> Data {
        let e = JSONEncoder(); e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }
}

/// Safe Harbor de-identification of a CSV file: each column holding identifiers is transformed by the
/// method of its kind (``DeidMethod``), overridable per column; all other columns are copied unchanged.
public enum Deidentifier {
    /// The default method for a scanned kind.
    public static func defaultMethod(for kind: PHIKind, dates: DeidOptions.Dates) -> DeidMethod {
        switch kind {
        case .personName, .phone, .fax, .email, .ssn, .medicalRecord, .healthPlan, .account, .license, .vehicle,
             .device, .url, .ip, .otherID, .streetAddress: return .pseudonym
        case .city, .biometric, .photo: return .suppress
        case .zip: return .zip3
        case .date: return dates == .shift ? .shift : .year
        case .dayNumber: return dates == .shift ? .shift : .suppress
        case .age: return .ageTopcode
        }
    }

    struct Plan {
        var method: DeidMethod
        var kind: PHIKind?
        var finding: ScanFinding?
        var nameRole: Pseudonyms.NameRole = .full
        var format: DateTimeFormat?
        var overridden = false
        var isBirthDate = false
    }

    /// Reads `input`, writes the de-identified CSV to `output` and returns the audit.
    public static func run(input: String, output: String, key: DeidKey, options: DeidOptions,
                           scan precomputed: ScanReport? = nil) throws -> DeidAudit {
        let doc = try CSVDocument(path: input)
        let schema = SchemaInference.infer(doc)
        let scan = try precomputed ?? IdentifierScan.scan(doc, schema: schema)
        let header = doc.header
        for name in options.overrides.keys where !header.contains(name) {
            throw DoppelError.usage(message: "--method: no column '\(name)' in \(input) (columns: \(header.joined(separator: ", ")))")
        }
        if let p = options.patientColumn, !header.contains(p) {
            throw DoppelError.usage(message: "--patient-column: no column '\(p)' in \(input) (columns: \(header.joined(separator: ", ")))")
        }
        guard (1...3650).contains(options.shiftRangeDays) else { throw DoppelError.usage(message: "--shift-days must be between 1 and 3650 (got \(options.shiftRangeDays))") }

        // Plan per column.
        var plans: [Plan] = []
        for (j, cs) in scan.columns.enumerated() {
            var p = Plan(method: .keep)
            if let f = cs.primary { p.kind = f.kind; p.finding = f; p.method = defaultMethod(for: f.kind, dates: options.dates) }
            else if let f = cs.findings.first(where: \.inText) { p.finding = f; p.method = .text }
            if let o = options.overrides[header[j]] { p.method = o; p.overridden = true }
            let t = Set(NameHeuristics.tokens(header[j]))
            if !t.isDisjoint(with: ["last", "family", "surname", "lastname"]) { p.nameRole = .family }
            else if !t.isDisjoint(with: ["first", "given", "firstname", "forename"]) { p.nameRole = .given }
            if let spec = schema[header[j]], spec.kind == .datetime { p.format = spec.format }
            p.isBirthDate = !t.isDisjoint(with: ["dob", "birth", "birthdate", "birthday", "born"])
            if p.overridden, p.method == .pseudonym, p.kind == nil { p.kind = .otherID }
            plans.append(p)
        }

        // The person key for date shifts.
        let patientIndex: Int? = options.patientColumn.flatMap { header.firstIndex(of: $0) } ?? {
            for k in [PHIKind.medicalRecord, .otherID, .healthPlan, .ssn] {
                if let j = scan.columns.firstIndex(where: { $0.primary?.kind == k }) { return j }
            }
            return nil
        }()

        let pseudo = Pseudonyms(key: key)
        let n = doc.rowCount

        // Pass 1: the real values, so no fake equals one of them; distinct values of pseudonym columns.
        var originals: [String: Set<BytesKey>] = [:]        // by group
        var nameWords = Set<[UInt8]>()
        var orderByColumn: [Int: [BytesKey]] = [:]
        let pseudonymColumns = plans.indices.filter { plans[$0].method == .pseudonym }
        // distinct values in order of first appearance (a deterministic order, without sorting)
        let distincts = try parallelMap(pseudonymColumns.count) { c -> (Set<BytesKey>, [BytesKey]) in
            var distinct = Set<BytesKey>(), order: [BytesKey] = []
            let ordered = isInjective(plans[pseudonymColumns[c]].kind ?? .otherID)
            doc.withFields { fa in
                for i in 0..<n { fa.with(i, pseudonymColumns[c]) { f in
                    if !FieldParsing.isMissing(f) { let k = BytesKey(f); if distinct.insert(k).inserted, ordered { order.append(k) } }
                } }
            }
            return (distinct, order)
        }
        for (c, j) in pseudonymColumns.enumerated() {
            let k = plans[j].kind ?? .otherID
            let distinct = distincts[c].0
            orderByColumn[j] = distincts[c].1
            var set = originals[group(k), default: []]
            for v in distinct {
                set.insert(BytesKey(normalize(v.bytes, k)))
                if k == .personName { for w in v.bytes.split(whereSeparator: { $0 == 32 || $0 == 44 }) { nameWords.insert(Pseudonyms.lower(Array(w))) } }
            }
            originals[group(k)] = set
        }

        // Fakes for every distinct value, in sorted order so the result does not depend on threads.
        var maps: [Int: [BytesKey: [UInt8]]] = [:]
        var redrawn = [Int](repeating: 0, count: plans.count)
        var usedCodes: [BytesKey: BytesKey] = [:]          // fake → real, for the kinds that must stay one-to-one
        // Kinds that must stay one-to-one (record and other numbers, SSNs, emails) get a map built in
        // order of first appearance, so clash resolution does not depend on threads. The others (names, phones, …)
        // are computed row by row in the parallel pass below: their redraw depends only on the value
        // and on the set of real values.
        for (j, p) in plans.enumerated() where p.method == .pseudonym && isInjective(p.kind ?? .otherID) {
            let k = p.kind ?? .otherID
            var map: [BytesKey: [UInt8]] = [:]
            let real = originals[group(k)] ?? []
            let values = orderByColumn[j]!
            // first draws in parallel (pure functions of key and value); clashes resolved in order below
            let firstDraws = try parallelMap(2) { part in
                stride(from: part, to: values.count, by: 2).map { fakeValue(values[$0].bytes, kind: k, role: p.nameRole, pseudo: pseudo, attempt: 0) }
            }
            map.reserveCapacity(values.count)
            for (idx, v) in values.enumerated() {
                let first = firstDraws[idx % 2][idx / 2]
                if first == v.bytes { map[v] = []; continue }   // "pending", "none": nothing to pseudonymise; removed
                guard let (fake, attempts) = redraw(v.bytes, first: first, kind: k, role: p.nameRole, real: real, nameWords: nameWords,
                                                    pseudo: pseudo, taken: { usedCodes[BytesKey($0)].map { $0 != v } == true }) else {
                    throw DoppelError.usage(message: "column '\(header[j])': could not draw a fake \(k.rawValue) distinct from every real value; choose --method \(header[j])=suppress")
                }
                if attempts > 0 { redrawn[j] += 1 }
                usedCodes[BytesKey(fake)] = v
                map[v] = fake
            }
            maps[j] = map
        }

        // Pass 2: transform in row chunks (in parallel), write in order.
        let writer = try CSVWriter(path: output)
        var stats = [ColumnStats](repeating: ColumnStats(), count: plans.count)
        do {
            try writer.writeRow(header)
            let chunk = 16_384
            let chunks = (n + chunk - 1) / chunk
            var c = 0
            let ageIndex = plans.firstIndex { $0.kind == .age }
            let ctx = Context(plans: plans, maps: maps, pseudo: pseudo, patientIndex: patientIndex, options: options, nameWords: nameWords,
                              originals: originals, ageIndex: ageIndex)
            while c < chunks {
                let group = min(4, chunks - c)
                let base = c
                let parts = try parallelMap(group) { g -> ([UInt8], [ColumnStats]) in
                    let lo = (base + g) * chunk, hi = min(n, lo + chunk)
                    return transform(doc, rows: lo..<hi, ctx)
                }
                for (bytes, st) in parts {
                    try writer.write(bytes)
                    for k in stats.indices { stats[k].merge(st[k]) }
                }
                c += group
            }
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }

        let columns = plans.enumerated().map { j, p in
            DeidAuditColumn(column: header[j], category: p.finding?.category ?? p.kind?.category, kind: p.kind ?? (p.method == .text ? nil : p.finding?.kind),
                            confidence: p.finding?.confidence, method: p.method, changed: stats[j].changed, missing: stats[j].missing,
                            redrawn: redrawn[j] + stats[j].redrawn, removedUnreadable: stats[j].unreadable, birthYearsWithheld: stats[j].agedOver89,
                            textReplacements: p.method == .text ? stats[j].text : nil, overridden: p.overridden)
        }
        var notes: [String] = []
        if plans.contains(where: { $0.method == .shift }) {
            notes.append(patientIndex.map { "dates are shifted per person, keyed on column '\(header[$0])'" }
                         ?? "no person column was found: each row gets its own date shift (give --patient-column to keep a person's dates consistent across rows)")
        }
        return DeidAudit(input: (input as NSString).lastPathComponent, inputSHA256: try fileSHA256(input),
                         output: (output as NSString).lastPathComponent, rows: n, keyFingerprint: key.fingerprint,
                         dates: options.dates, shiftRangeDays: options.shiftRangeDays,
                         patientColumn: patientIndex.map { header[$0] }, columns: columns, notes: notes)
    }

    static func fileSHA256(_ path: String) throws -> String {
        guard let d = FileManager.default.contents(atPath: path) else { throw DoppelError.inputMissing(path: path, reason: "cannot be read") }
        return SHA256.hash(data: d).map { String(format: "%02x", $0) }.joined()
    }

    static func isInjective(_ k: PHIKind) -> Bool {
        switch k {
        case .medicalRecord, .healthPlan, .account, .license, .vehicle, .device, .otherID, .ssn, .email: return true
        default: return false
        }
    }

    static func group(_ k: PHIKind) -> String {
        switch k {
        case .phone, .fax: return "phone"
        case .medicalRecord, .healthPlan, .account, .license, .vehicle, .device, .otherID: return "code"
        default: return k.rawValue
        }
    }

    /// The fake for a value of a non-injective kind: redrawn while it equals a real value (or, for a
    /// given- or family-name column, any real name word). Returns the fake and whether it was redrawn.
    static func resolveFake(_ v: [UInt8], kind k: PHIKind, role: Pseudonyms.NameRole, _ ctx: Context) -> ([UInt8], Bool)? {
        let first = fakeValue(v, kind: k, role: role, pseudo: ctx.pseudo, attempt: 0)
        if first == v { return nil }      // a placeholder such as "pending": nothing to pseudonymise; removed
        return redraw(v, first: first, kind: k, role: role, real: ctx.originals[group(k)] ?? [], nameWords: ctx.nameWords, pseudo: ctx.pseudo)
            .map { ($0.0, $0.1 > 0) }
    }

    /// Redraws a fake while it clashes: it equals a real value of its group, or (in a column of given or
    /// family names) a real name word, or `taken` says another value already has it. Returns the fake
    /// and the number of redraws, or nil after 1000 attempts.
    static func redraw(_ v: [UInt8], first: [UInt8], kind k: PHIKind, role: Pseudonyms.NameRole, real: Set<BytesKey>,
                       nameWords: Set<[UInt8]>, pseudo: Pseudonyms, taken: ([UInt8]) -> Bool = { _ in false }) -> ([UInt8], Int)? {
        var fake = first
        for attempt in 0..<1000 {
            if attempt > 0 { fake = fakeValue(v, kind: k, role: role, pseudo: pseudo, attempt: attempt) }
            let clash = real.contains(BytesKey(normalize(fake, k)))
                || (k == .personName && role != .full && fake.split(separator: 32).contains { nameWords.contains(Pseudonyms.lower(Array($0))) })
                || taken(fake)
            if !clash { return (fake, attempt) }
        }
        return nil
    }

    /// The comparable form of a value: lower-case for names and emails, digits only for numbers.
    static func normalize(_ v: [UInt8], _ k: PHIKind) -> [UInt8] {
        switch k {
        case .phone, .fax, .ssn: return v.filter { $0 >= 48 && $0 <= 57 }
        default: return Pseudonyms.lower(v)
        }
    }

    public static func fakeValue(_ v: [UInt8], kind k: PHIKind, role: Pseudonyms.NameRole, pseudo: Pseudonyms, attempt: Int) -> [UInt8] {
        switch k {
        case .personName: return pseudo.personName(v, role: role, attempt: attempt)
        case .phone, .fax: return pseudo.phone(v, attempt: attempt)
        case .ssn: return pseudo.ssn(v, attempt: attempt)
        case .email: return pseudo.email(v, attempt: attempt)
        case .url: return pseudo.url(v, attempt: attempt)
        case .ip: return pseudo.ip(v, attempt: attempt)
        case .streetAddress: return pseudo.streetAddress(v, attempt: attempt)
        case .account:
            let digits = v.filter { $0 >= 48 && $0 <= 57 }
            if digits.count >= 13, v.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 32 || $0 == 45 }) { return pseudo.card(v, attempt: attempt) }
            return pseudo.code(v, domain: k.rawValue, attempt: attempt)
        case .device:
            if v.count == 17, v.filter({ $0 == 58 || $0 == 45 }).count == 5 { return pseudo.mac(v, attempt: attempt) }
            return pseudo.code(v, domain: k.rawValue, attempt: attempt)
        default: return pseudo.code(v, domain: k.rawValue, attempt: attempt)
        }
    }

    struct ColumnStats {
        var changed = 0, missing = 0, unreadable = 0, redrawn = 0, agedOver89 = 0
        var text: [String: Int] = [:]
        mutating func merge(_ o: ColumnStats) {
            changed += o.changed; missing += o.missing; unreadable += o.unreadable; redrawn += o.redrawn; agedOver89 += o.agedOver89
            for (k, v) in o.text { text[k, default: 0] += v }
        }
    }

    struct Context: @unchecked Sendable {
        let plans: [Plan]
        let maps: [Int: [BytesKey: [UInt8]]]
        let pseudo: Pseudonyms
        let patientIndex: Int?
        let options: DeidOptions
        let nameWords: Set<[UInt8]>
        let originals: [String: Set<BytesKey>]
        /// The age column, if any (to withhold birth years of people over 89 in year mode).
        let ageIndex: Int?
    }

    /// The year of a date-like field, by the column's format or the common written forms.
    static func year(_ f: UnsafeBufferPointer<UInt8>, _ plan: Plan) -> Int? {
        if let fmt = plan.format, let secs = fmt.parse(f) { return CivilDate.civilFromDays(Int((secs / 86400).rounded(.down))).0 }
        return DatePatterns.match(f, 0)?.year
    }

    /// In year mode, a birth year tells an age: Safe Harbor groups ages over 89, so the birth year of a
    /// person over 89 (by the age column, or against the latest other date in the row) is withheld.
    static func birthYearShowsAgeOver89(_ fa: FieldAccess, row i: Int, birthYear: Int, _ ctx: Context) -> Bool {
        if let a = ctx.ageIndex {
            var dec = 0
            if let v = fa.with(i, a, { FieldParsing.parseNumber($0, decimals: &dec) }), v > 89 { return true }
        }
        var latest: Int? = nil
        for (k, p) in ctx.plans.enumerated() where (p.kind == .date || p.method == .shift || p.method == .year) && !p.isBirthDate && p.kind != .dayNumber {
            if let y = fa.with(i, k, { FieldParsing.isMissing($0) ? nil : year($0, p) }) { latest = max(latest ?? y, y) }
        }
        return latest.map { $0 - birthYear > 89 } ?? false
    }

    static func transform(_ doc: CSVDocument, rows: Range<Int>, _ ctx: Context) -> ([UInt8], [ColumnStats]) {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * 64)
        var stats = [ColumnStats](repeating: ColumnStats(), count: ctx.plans.count)
        let cols = ctx.plans.count
        doc.withFields { fa in
            for i in rows {
                let shift: Int = {
                    if let p = ctx.patientIndex {
                        return fa.with(i, p) { f in FieldParsing.isMissing(f) ? ctx.pseudo.shiftDays(person: Array("row:\(i)".utf8), range: ctx.options.shiftRangeDays)
                                                                                : ctx.pseudo.shiftDays(person: Array(f), range: ctx.options.shiftRangeDays) }
                    }
                    return ctx.pseudo.shiftDays(person: Array("row:\(i)".utf8), range: ctx.options.shiftRangeDays)
                }()
                for j in 0..<cols {
                    if j > 0 { out.append(44) }
                    let plan = ctx.plans[j]
                    fa.with(i, j) { f in
                        if FieldParsing.isMissing(f) {
                            stats[j].missing += 1
                            out.append(contentsOf: f)
                            return
                        }
                        guard plan.method != .keep else { CSVWriter.appendField(bytes: f, to: &out); return }
                        var result = apply(plan, f, shift: shift, column: j, ctx, &stats[j])
                        if plan.method == .year, plan.isBirthDate, let r = result, let y = Int(String(decoding: r, as: UTF8.self)),
                           birthYearShowsAgeOver89(fa, row: i, birthYear: y, ctx) {
                            result = nil; stats[j].agedOver89 += 1
                        }
                        if let r = result {
                            if !r.elementsEqual(f) { stats[j].changed += 1 }
                            r.withUnsafeBufferPointer { CSVWriter.appendField(bytes: $0, to: &out) }
                        } else {
                            stats[j].changed += 1
                        }
                    }
                }
                out.append(10)
            }
        }
        return (out, stats)
    }

    /// The new value of one field, or nil to leave it empty.
    static func apply(_ plan: Plan, _ f: UnsafeBufferPointer<UInt8>, shift: Int, column j: Int, _ ctx: Context, _ st: inout ColumnStats) -> [UInt8]? {
        switch plan.method {
        case .keep: return Array(f)
        case .suppress: return nil
        case .pseudonym:
            if let map = ctx.maps[j] {
                guard let fake = map[BytesKey(f)], !fake.isEmpty else { st.unreadable += 1; return nil }
                return fake
            }
            guard let (fake, redrawn) = resolveFake(Array(f), kind: plan.kind ?? .otherID, role: plan.nameRole, ctx) else { st.unreadable += 1; return nil }
            if redrawn { st.redrawn += 1 }
            return fake
        case .zip3: return Pseudonyms.zip3(Array(f))
        case .age90, .ageTopcode:
            var dec = 0
            guard let v = FieldParsing.parseNumber(f, decimals: &dec) else {
                // "92 years" and the like: read the leading number
                var k = 0, a = 0
                while k < f.count, f[k] >= 48, f[k] <= 57 { a = a * 10 + Int(f[k] - 48); k += 1 }
                if k > 0, a > 89 { return Array((plan.method == .age90 ? "90+" : "90").utf8) }
                return Array(f)
            }
            return v > 89 ? Array((plan.method == .age90 ? "90+" : "90").utf8) : Array(f)
        case .shift, .year:
            if plan.kind == .dayNumber {
                var dec = 0
                guard let v = FieldParsing.parseNumber(f, decimals: &dec) else { st.unreadable += 1; return nil }
                guard plan.method == .shift else { return nil }
                var o: [UInt8] = []
                CSVWriter.appendNumber(v + Double(shift), decimals: dec, to: &o)
                return o
            }
            if let fmt = plan.format, let secs = fmt.parse(f) {
                let y = CivilDate.civilFromDays(Int((secs / 86400).rounded(.down))).0
                if y >= 2200 || y <= 1800 { return Array(f) }     // placeholder dates such as 9999-12-31 are not about a person
                if plan.method == .year {
                    let (y, _, _) = CivilDate.civilFromDays(Int((secs / 86400).rounded(.down)))
                    return Array(String(y).utf8)
                }
                var o: [UInt8] = []
                fmt.format(secs + Double(shift) * 86400, into: &o)
                return o
            }
            if let d = DatePatterns.match(f, 0) {
                if plan.method == .year { return Array(String(d.year).utf8) }
                return Array(d.render(days: d.days + shift).utf8) + Array(f[d.end...])
            }
            st.unreadable += 1
            return nil
        case .text:
            let spans = TextScanner.spans(f)
            if spans.isEmpty { return Array(f) }
            var o: [UInt8] = []
            var last = 0
            for s in spans {
                o.append(contentsOf: f[last..<s.start])
                let v = Array(f[s.start..<s.end])
                st.text[s.kind.rawValue, default: 0] += 1
                switch s.kind {
                case .date:
                    if let d = s.date {
                        o.append(contentsOf: ctx.options.dates == .year ? Array(String(d.year).utf8) : Array(d.render(days: d.days + shift).utf8))
                    }
                case .age: o.append(contentsOf: "90+".utf8)
                case .zip: o.append(contentsOf: Pseudonyms.zip3(v))
                case .city, .biometric, .photo, .dayNumber: o.append(contentsOf: "[\(s.kind.category.rawValue)]".utf8)
                case .personName:
                    var attempt = 0
                    var fake = ctx.pseudo.personName(v, role: .full, attempt: 0)
                    while attempt < 20, fake.split(separator: 32).contains(where: { ctx.nameWords.contains(Pseudonyms.lower(Array($0))) }) {
                        attempt += 1; fake = ctx.pseudo.personName(v, role: .full, attempt: attempt)
                    }
                    // keep a leading title ("Dr. ", "Mrs ") as written
                    if let sp = v.firstIndex(of: 32), NamePatterns.titles.contains(String(decoding: Pseudonyms.lower(Array(v[..<sp])), as: UTF8.self)) {
                        o.append(contentsOf: v[...sp])
                        o.append(contentsOf: ctx.pseudo.personName(Array(v[(sp + 1)...]), role: .family, attempt: attempt))
                    } else {
                        o.append(contentsOf: fake)
                    }
                default:
                    o.append(contentsOf: fakeValue(v, kind: s.kind, role: .full, pseudo: ctx.pseudo, attempt: 0))
                }
                last = s.end
            }
            o.append(contentsOf: f[last...])
            return o
        }
    }
}
