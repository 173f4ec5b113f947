import DoppelMath
import DoppelData

/// A generated table holding every Safe Harbor identifier category, with the truth for each cell, to
/// measure the scan's precision and recall and to benchmark `deid`. Values are invented (seeded) and
/// follow the real formats, check digits included; tricky cases are deliberate: names that are also
/// words (Will, Hope, Rose, Baker), dates in several formats, phone numbers with extensions, ZIP+4,
/// five-digit counts that are not ZIP codes, years of birth (allowed), and notes that mix identifiers
/// with ordinary capitalised words.
public struct PHIFixture: Sendable {
    /// A column's truth: the kind every non-missing cell holds, or nil for a column without identifiers.
    /// Age columns hold an identifier only in cells over 89; text columns hold spans.
    public struct ColumnTruth: Sendable { public var name: String; public var kind: PHIKind?; public var isText: Bool }
    public var columns: [ColumnTruth]
    public var rows: [[String]]
    /// For text columns: per row, the identifier spans (byte ranges in the cell) and their kinds.
    public var spans: [Int: [[TextSpan]]]

    public var csv: [UInt8] {
        var out: [UInt8] = []
        for (k, c) in columns.enumerated() { if k > 0 { out.append(44) }; CSVWriter.appendField(c.name, to: &out) }
        out.append(10)
        for r in rows {
            for (k, v) in r.enumerated() { if k > 0 { out.append(44) }; CSVWriter.appendField(v, to: &out) }
            out.append(10)
        }
        return out
    }

    static let extraGiven = ["Thaddeus", "Ines", "Bartholomew", "Odalys", "Zelda", "Leopold", "Marisol", "Ignatius", "Philippa",
                             "Rosalind", "Caspian", "Ottilie", "Lazarus", "Ysolde", "Percival", "Henrietta", "Ambrose", "Clementine"]
    static let extraFamily = ["Abernathy", "Quackenbush", "Okonkwo", "Szymanski", "Fitzwilliam", "Delacroix", "Haverford",
                              "Lindqvist", "Moriarty", "Thistlewood", "Yamamoto", "Zielinski", "Castellano", "Brannigan"]
    static let wordNames = ["Will", "Hope", "Rose", "Faith", "June", "Grant", "Chase", "Hunter", "Joy", "Dawn"]
    static let wordSurnames = ["Baker", "Young", "Stone", "Rich", "Long", "Best", "Little", "Strong", "Love", "Snow"]
    static let streets = ["Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Pine", "Sunset", "River"]
    static let suffixes = ["St", "Street", "Ave", "Avenue", "Rd", "Blvd", "Ln", "Drive", "Ct", "Way"]
    static let cities = ["Springfield", "Riverton", "Fairview", "Madison", "Georgetown", "Salem", "Franklin", "Clinton", "Arlington", "Ashland"]
    static let states = ["Virginia", "Washington", "Georgia", "Ohio", "Texas", "Maine", "Nevada", "Oregon", "Utah", "Idaho"]
    static let diagnoses = ["Heart Failure", "Type 2 Diabetes", "Asthma", "Chronic Kidney Disease", "Pneumonia", "Sepsis", "COPD", "Hip Fracture"]
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    public static func generate(rows n: Int, seed: UInt64, notes: Bool = true, narrow: Bool = false) -> PHIFixture {
        var rng = SeededGenerator(seed: seed)
        func pick<T>(_ a: [T]) -> T { a[rng.nextInt(below: a.count)] }
        func digits(_ k: Int) -> String { (0..<k).map { _ in String(rng.nextInt(below: 10)) }.joined() }
        func chance(_ p: Double) -> Bool { rng.nextUniform() < p }
        func given() -> String { chance(0.1) ? pick(wordNames) : chance(0.15) ? pick(extraGiven) : cap(pick(NameLists.given)) }
        func family() -> String { chance(0.1) ? pick(wordSurnames) : chance(0.15) ? pick(extraFamily) : cap(pick(NameLists.family)) }
        func cap(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        func date() -> (Int, Int, Int) { (1930 + rng.nextInt(below: 92), 1 + rng.nextInt(below: 12), 1 + rng.nextInt(below: 28)) }
        func ssn() -> String {
            var a = 1 + rng.nextInt(below: 899); if a == 666 { a = 667 }
            return "\(pad(a, 3))-\(pad(1 + rng.nextInt(below: 99), 2))-\(pad(1 + rng.nextInt(below: 9999), 4))"
        }
        func phone() -> String {
            let a = "\(2 + rng.nextInt(below: 8))\(digits(2))", e = "\(2 + rng.nextInt(below: 8))\(digits(2))", l = digits(4)
            switch rng.nextInt(below: 6) {
            case 0: return "(\(a)) \(e)-\(l)"
            case 1: return "\(a)-\(e)-\(l)"
            case 2: return "\(a).\(e).\(l)"
            case 3: return "+1 \(a) \(e) \(l)"
            case 4: return "(\(a)) \(e)-\(l) x\(1 + rng.nextInt(below: 999))"
            default: return "\(a)-\(e)-\(l) ext. \(10 + rng.nextInt(below: 90))"
            }
        }
        func luhnComplete(_ d: [Int]) -> [Int] {
            for c in 0..<10 where Checksums.luhn((d + [c]).map(UInt8.init)) { return d + [c] }
            return d + [0]
        }
        func card() -> String {
            let d = luhnComplete([4] + (0..<14).map { _ in rng.nextInt(below: 10) }).map(String.init).joined()
            return stride(from: 0, to: 16, by: 4).map { Array(d)[$0..<$0 + 4].map(String.init).joined() }.joined(separator: chance(0.5) ? " " : "-")
        }
        func vin() -> String {
            let alphabet = Array("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
            var c = (0..<17).map { _ in alphabet[rng.nextInt(below: alphabet.count)] }
            for check in Array("0123456789X") {
                c[8] = check
                if Checksums.validVIN(c.map { $0.asciiValue! }) { break }
            }
            return String(c)
        }
        func dea() -> String {
            let l1 = pick(Array("ABFGMPR")), l2 = Character(UnicodeScalar(65 + UInt8(rng.nextInt(below: 26))))
            var d = (0..<6).map { _ in rng.nextInt(below: 10) }
            d.append((d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10)
            return "\(l1)\(l2)" + d.map(String.init).joined()
        }
        func mbi() -> String {
            let letters = Array("ACDEFGHJKMNPQRTUVWXY")
            func a() -> Character { letters[rng.nextInt(below: letters.count)] }
            func an() -> Character { chance(0.5) ? a() : Character(String(rng.nextInt(below: 10))) }
            let s = "\(1 + rng.nextInt(below: 9))\(a())\(an())\(rng.nextInt(below: 10))\(a())\(an())\(rng.nextInt(below: 10))\(a())\(a())\(rng.nextInt(below: 10))\(rng.nextInt(below: 10))"
            return chance(0.3) ? String(s.prefix(4)) + "-" + String(Array(s)[4..<7]) + "-" + String(s.suffix(4)) : s
        }
        func hex(_ k: Int) -> String { (0..<k).map { _ in String(rng.nextInt(below: 16), radix: 16) }.joined() }
        func dateText(_ d: (Int, Int, Int)) -> String {
            let (y, m, dd) = d
            switch rng.nextInt(below: 5) {
            case 0: return "\(pad(m, 2))/\(pad(dd, 2))/\(y)"
            case 1: return "\(y)-\(pad(m, 2))-\(pad(dd, 2))"
            case 2: return "\(months[m - 1]) \(dd), \(y)"
            case 3: return "\(dd) \(months[m - 1].prefix(3)) \(y)"
            default: return "\(m)/\(dd)/\(pad(y % 100, 2))"
            }
        }

        var cols: [ColumnTruth] = []
        var data: [[String]] = []
        func add(_ name: String, _ kind: PHIKind?, text: Bool = false, _ gen: () -> String) {
            cols.append(ColumnTruth(name: name, kind: kind, isText: text))
            data.append((0..<n).map { _ in gen() })
        }
        var usedCodes = Set<String>()
        func unique(_ g: () -> String) -> String { while true { let v = g(); if usedCodes.insert(v).inserted { return v } } }

        add("patient_name", .personName) { chance(0.2) ? "\(family()), \(given())" : chance(0.2) ? "\(given()) \(Character(UnicodeScalar(65 + UInt8(rng.nextInt(below: 26))))). \(family())" : "\(given()) \(family())" }
        add("mrn", .medicalRecord) { unique { "MRN" + digits(7) } }
        add("dob", .date) { let (y, m, d) = date(); return "\(pad(m, 2))/\(pad(d, 2))/\(y)" }
        add("ssn", .ssn) { ssn() }
        add("phone", .phone) { phone() }
        add("email", .email) { "\(given().lowercased()).\(family().lowercased().replacingOccurrences(of: "'", with: ""))\(rng.nextInt(below: 100))@\(pick(["gmail.com", "yahoo.com", "mailbox.org", "hospital-mail.net"]))" }
        add("street_address", .streetAddress) { "\(1 + rng.nextInt(below: 9999)) \(chance(0.2) ? "N. " : "")\(pick(streets)) \(pick(suffixes))\(chance(0.2) ? ", Apt \(1 + rng.nextInt(below: 30))\(pick(["A", "B", ""]))" : "")" }
        add("zip", .zip) { chance(0.05) ? pick(["03601", "05902", "69201", "89012"]) : pad(rng.nextInt(below: 100_000), 5) }
        add("age", .age) { String(chance(0.1) ? 90 + rng.nextInt(below: 15) : 18 + rng.nextInt(below: 72)) }
        add("diagnosis", nil) { pick(diagnoses) }
        add("state", nil) { pick(states) }
        if !narrow {
            add("field_b", .personName) { given() }
            add("mother_maiden_name", .personName) { family() }
            add("residence_city", .city) { pick(cities) }
            add("zip_plus4", .zip) { "\(pad(rng.nextInt(below: 100_000), 5))-\(pad(rng.nextInt(below: 10_000), 4))" }
            add("admit_dt", .date) { let (y, m, d) = date(); return "\(y)-\(pad(m, 2))-\(pad(d, 2)) \(pad(rng.nextInt(below: 24), 2)):\(pad(rng.nextInt(below: 60), 2))" }
            add("discharged_on", .date) { let d = date(); return chance(0.5) ? "\(d.2) \(months[d.1 - 1].prefix(3)) \(d.0)" : "\(months[d.1 - 1]) \(d.2), \(d.0)" }
            add("contact_fax", .fax) { phone() }
            add("chart_number", .medicalRecord) { unique { String(1 + rng.nextInt(below: 9)) + digits(7) } }
            add("medicare_mbi", .healthPlan) { unique { mbi() } }
            add("insurance_member_id", .healthPlan) { unique { String((0..<3).map { _ in Character(UnicodeScalar(65 + UInt8(rng.nextInt(below: 26)))) }) + digits(9) } }
            add("account_number", .account) { unique { digits(10) } }
            add("card_number", .account) { card() }
            add("prescriber_dea", .license) { dea() }
            add("drivers_license", .license) { "\(Character(UnicodeScalar(65 + UInt8(rng.nextInt(below: 26)))))\(digits(3))-\(digits(4))-\(digits(4))" }
            add("vehicle_vin", .vehicle) { vin() }
            add("license_plate", .vehicle) { "\(1 + rng.nextInt(below: 9))\(String((0..<3).map { _ in Character(UnicodeScalar(65 + UInt8(rng.nextInt(below: 26)))) }))\(digits(3))" }
            add("implant_serial", .device) { unique { "PM-\(digits(5))-\(String((0..<2).map { _ in Character(UnicodeScalar(65 + UInt8(rng.nextInt(below: 26)))) }))" } }
            add("wearable", .device) { (0..<6).map { _ in hex(2) }.joined(separator: ":") }
            add("portal_url", .url) { "https://portal.\(pick(["mercy", "stmarys", "northside"]))-health.org/patients/\(digits(6))" }
            add("login_ip", .ip) { chance(0.8) ? "\(1 + rng.nextInt(below: 223)).\(rng.nextInt(below: 256)).\(rng.nextInt(below: 256)).\(1 + rng.nextInt(below: 254))" : "2001:\(hex(4)):\(hex(4))::\(hex(4))" }
            add("fingerprint_template", .biometric) { hex(64) }
            add("photo_file", .photo) { chance(0.5) ? "IMG_\(digits(4)).jpg" : "photos/p\(digits(5))/face.png" }
            add("enrollment_code", .otherID) { unique { "\(hex(3).uppercased())-\(hex(4).uppercased())" } }
            add("year_of_birth", nil) { String(1930 + rng.nextInt(below: 80)) }
            add("daily_steps", nil) { String(10_000 + rng.nextInt(below: 15_000)) }
            add("systolic_bp", nil) { String(90 + rng.nextInt(below: 90)) }
            add("lab_code", nil) { pick(["2345-7", "718-7", "4548-4", "2160-0"]) }
            add("visit_count", nil) { String(1 + rng.nextInt(below: 30)) }
        }
        var spanTruth: [Int: [[TextSpan]]] = [:]
        if notes {
            var cellSpans: [[TextSpan]] = []
            var texts: [String] = []
            for _ in 0..<n {
                var text: [UInt8] = []
                var spans: [TextSpan] = []
                func plain(_ s: String) { text += Array(s.utf8) }
                func phi(_ k: PHIKind, _ s: String) { spans.append(TextSpan(kind: k, start: text.count, end: text.count + s.utf8.count)); text += Array(s.utf8) }
                let templates = 6
                for part in 0..<(2 + rng.nextInt(below: 2)) {
                    if part > 0 { plain(" ") }
                    switch rng.nextInt(below: templates) {
                    case 0: plain("Seen by "); phi(.personName, "Dr. \(family())"); plain(" on "); phi(.date, dateText(date())); plain(".")
                    case 1: plain("Patient "); phi(.personName, "\(given()) \(family())"); plain(" called from "); phi(.phone, phone()); plain(" about the dose.")
                    case 2: plain("Pt is a "); let a = 90 + rng.nextInt(below: 12); phi(.age, String(a)); plain("-year-old with \(pick(diagnoses).lowercased()); will return in May.")
                    case 3: plain("Results sent to "); phi(.email, "\(given().lowercased())\(rng.nextInt(below: 99))@example-mail.com"); plain(", ref "); phi(.medicalRecord, "MRN \(digits(7))"); plain(".")
                    case 4: plain("Will continue aspirin 81 mg; BP 120/80; Hope Pavilion nurse notified.")
                    default: plain("Lives at "); phi(.streetAddress, "\(1 + rng.nextInt(below: 999)) \(pick(streets)) \(pick(suffixes))"); plain(", SSN "); phi(.ssn, ssn()); plain(".")
                    }
                }
                texts.append(String(decoding: text, as: UTF8.self))
                cellSpans.append(spans)
            }
            cols.append(ColumnTruth(name: "clinical_note", kind: nil, isText: true))
            data.append(texts)
            spanTruth[cols.count - 1] = cellSpans
        }
        let rows = (0..<n).map { i in data.map { $0[i] } }
        return PHIFixture(columns: cols, rows: rows, spans: spanTruth)
    }
}

/// Precision and recall of a scan on a ``PHIFixture``, per Safe Harbor category, counted over cells
/// (a cell of a column is "found" when the scan assigns the column that category; ages count only
/// over 89) and over identifier spans inside text (a span is found when a span of the same category
/// overlaps it).
public struct ScanQuality: Sendable {
    public var truePositives: [PHICategory: Int] = [:]
    public var falsePositives: [PHICategory: Int] = [:]
    public var falseNegatives: [PHICategory: Int] = [:]

    public func precision(_ c: PHICategory) -> Double {
        let tp = Double(truePositives[c, default: 0]), fp = Double(falsePositives[c, default: 0])
        return tp + fp == 0 ? 1 : tp / (tp + fp)
    }
    public func recall(_ c: PHICategory) -> Double {
        let tp = Double(truePositives[c, default: 0]), fn = Double(falseNegatives[c, default: 0])
        return tp + fn == 0 ? 1 : tp / (tp + fn)
    }

    public static func measure(_ fixture: PHIFixture, scan: ScanReport) -> ScanQuality {
        var q = ScanQuality()
        for (j, truth) in fixture.columns.enumerated() {
            let cs = scan.columns[j]
            if truth.isText {
                let asText = cs.findings.contains { $0.inText }
                for (i, row) in fixture.rows.enumerated() {
                    let truthSpans = fixture.spans[j]?[i] ?? []
                    let found = asText ? Array(row[j].utf8).withUnsafeBufferPointer { TextScanner.spans($0) } : []
                    var matched = Set<Int>()
                    for f in found {
                        if let t = truthSpans.firstIndex(where: { $0.kind.category == f.kind.category && $0.start < f.end && f.start < $0.end && !matched.contains(truthSpans.firstIndex(of: $0)!) }) {
                            matched.insert(t); q.truePositives[f.kind.category, default: 0] += 1
                        } else { q.falsePositives[f.kind.category, default: 0] += 1 }
                    }
                    for (t, s) in truthSpans.enumerated() where !matched.contains(t) { q.falseNegatives[s.kind.category, default: 0] += 1 }
                }
                continue
            }
            let detected = cs.primary?.kind
            for row in fixture.rows {
                let v = row[j]
                let over89 = (Double(v) ?? 0) > 89
                let t: PHICategory? = truth.kind == .age ? (over89 ? .date : nil) : truth.kind?.category
                let d: PHICategory? = detected == .age ? (over89 ? .date : nil) : detected?.category
                if let t, t == d { q.truePositives[t, default: 0] += 1; continue }
                if let t { q.falseNegatives[t, default: 0] += 1 }
                if let d { q.falsePositives[d, default: 0] += 1 }
            }
        }
        return q
    }
}
