/// One identifier found inside a text value: bytes `start..<end` hold a value of `kind`.
public struct TextSpan: Sendable, Equatable {
    public var kind: PHIKind
    public var start: Int
    public var end: Int
    /// For dates: the parsed date, so it can be shifted and rewritten in the same style.
    public var date: DateMatch?
    /// For ages: the age in years.
    public var age: Int?
}

/// Finds identifiers inside free text (clinical notes, comments), at word starts, left to right,
/// without overlaps.
public enum TextScanner {
    public static func spans(_ b: UnsafeBufferPointer<UInt8>) -> [TextSpan] {
        var out: [TextSpan] = []
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            guard ValuePatterns.isAlnum(c) || c == 43 || c == 40, ValuePatterns.boundaryBefore(b, i) || c == 40 else { i += 1; continue }
            if let s = spanAt(b, i) { out.append(s); i = max(s.end, i + 1); continue }
            // skip to the end of this token ("(" or "+" that started nothing: just step over it)
            i += 1
            if !ValuePatterns.isAlnum(c) { continue }
            while i < n, ValuePatterns.isAlnum(b[i]) { i += 1 }
        }
        return out
    }

    static func spanAt(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> TextSpan? {
        func span(_ k: PHIKind, _ e: Int?) -> TextSpan? { e.map { TextSpan(kind: k, start: i, end: $0) } }
        let c = b[i]
        if ValuePatterns.isAlnum(c) {
            // the token's extent decides which recognisers can apply (cheap filters first)
            var t = i, hasAt = false, hasDot = false
            while t < b.count, !ValuePatterns.isSpace(b[t]) { if b[t] == 64 { hasAt = true } else if b[t] == 46 { hasDot = true }; t += 1 }
            let lower = c | 0x20
            if hasAt, let s = span(.email, ValuePatterns.matchEmail(b, i)) { return s }
            if lower == 104 || lower == 119 || lower == 102, let s = span(.url, ValuePatterns.matchURL(b, i)) { return s }
            if lower == 109, let s = span(.medicalRecord, ValuePatterns.matchMRN(b, i)) { return s }
            if c >= 49 && c <= 57, let s = span(.healthPlan, ValuePatterns.matchMBI(b, i)) { return s }
            if ValuePatterns.isUpper(c), t - i >= 9, let s = span(.license, ValuePatterns.matchDEA(b, i)) { return s }
            if t - i >= 17, let s = span(.vehicle, ValuePatterns.matchVIN(b, i)) { return s }
            if hasDot, let s = span(.photo, ValuePatterns.matchPhotoFile(b, i)) { return s }
        }
        if ValuePatterns.isDigit(c) || c == 43 || c == 40 {
            if let s = span(.ssn, ValuePatterns.matchSSN(b, i)) { return s }
            if let e = ValuePatterns.matchPhone(b, i) {
                var fax = false
                var k = max(0, i - 16)
                while k + 3 <= i { if b[k] | 0x20 == 102, b[k + 1] | 0x20 == 97, b[k + 2] | 0x20 == 120 { fax = true; break }; k += 1 }
                return TextSpan(kind: fax ? .fax : .phone, start: i, end: e)
            }
        }
        if ValuePatterns.isDigit(c) || ValuePatterns.isHex(c) {
            if let s = span(.ip, ValuePatterns.matchIPv4(b, i) ?? ValuePatterns.matchIPv6(b, i)) { return s }
            if let s = span(.device, ValuePatterns.matchMAC(b, i)) { return s }
        }
        if ValuePatterns.isDigit(c) {
            if let s = span(.zip, ValuePatterns.matchZIP4(b, i)) { return s }
            if let s = span(.account, ValuePatterns.matchCard(b, i)) { return s }
            if let s = span(.streetAddress, ValuePatterns.matchStreetAddress(b, i)) { return s }
            if let a = matchAge(b, i) { return a }
        }
        if let d = DatePatterns.match(b, i) { return TextSpan(kind: .date, start: i, end: d.end, date: d) }
        if ValuePatterns.isAlpha(c), let s = keywordNumber(b, i) { return s }
        if ValuePatterns.isLower(c), let e = lowercaseName(b, i) { return TextSpan(kind: .personName, start: i, end: e) }
        if ValuePatterns.isAlpha(c) {
            if let a = matchAgePrefix(b, i) { return a }
            if let s = span(.account, ValuePatterns.matchIBAN(b, i)) { return s }
            if let s = span(.personName, NamePatterns.matchInText(b, i)) { return s }
        }
        return nil
    }

    /// Numbers announced by a keyword: "SSN 219099998", "acct# 998877665", "account number 998877665",
    /// "medical record number 4821337", "zip 19104". The span is the number only, so the keyword stays.
    static let keywords: [(String, PHIKind, Int)] = [("social security number", .ssn, 9), ("social security", .ssn, 9), ("ssn", .ssn, 9),
        ("medical record number", .medicalRecord, 5), ("medical record", .medicalRecord, 5), ("record number", .medicalRecord, 5),
        ("chart number", .medicalRecord, 5), ("account number", .account, 6), ("account", .account, 6), ("acct", .account, 6),
        ("member id", .healthPlan, 6), ("insurance id", .healthPlan, 6), ("insurance number", .healthPlan, 6), ("policy number", .healthPlan, 6),
        ("policy", .healthPlan, 6), ("subscriber id", .healthPlan, 6), ("plate", .vehicle, 1), ("license plate", .vehicle, 1),
        ("mr", .medicalRecord, 5), ("zip code", .zip, 5), ("zip", .zip, 5), ("postal code", .zip, 5)]

    /// Kinds whose announced value may mix letters and digits ("insurance id XJH123456789", "plate 7ABC123").
    static let alphanumericKinds: Set<PHIKind> = [.healthPlan, .vehicle]

    static func keywordNumber(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> TextSpan? {
        let first = b[i] | 0x20
        guard first == 115 || first == 109 || first == 114 || first == 99 || first == 97 || first == 122 || first == 112 || first == 105 || first == 108 else { return nil }
        for (word, kind, minDigits) in keywords where word.utf8.first == first {
            guard var j = ValuePatterns.lit(b, i, word), ValuePatterns.boundaryAfter(b, j) || b[j] == 35 else { continue }
            // separators and filler: spaces, '#', ':', '-', "no", "no.", "number", "is"
            while j < b.count {
                if [32, 35, 58, 45, 46].contains(b[j]) { j += 1; continue }
                if let k = ValuePatterns.lit(b, j, "number"), ValuePatterns.boundaryAfter(b, k) { j = k; continue }
                if let k = ValuePatterns.lit(b, j, "no"), ValuePatterns.boundaryAfter(b, k) { j = k; continue }
                if let k = ValuePatterns.lit(b, j, "is"), ValuePatterns.boundaryAfter(b, k) { j = k; continue }
                break
            }
            let s = j
            let alnum = alphanumericKinds.contains(kind)
            while j < b.count, ValuePatterns.isDigit(b[j]) || (alnum && ValuePatterns.isAlpha(b[j])) || (b[j] == 45 && j + 1 < b.count && ValuePatterns.isAlnum(b[j + 1]) && j > s) { j += 1 }
            let digits = b[s..<j].filter(ValuePatterns.isDigit).count
            guard digits >= minDigits, ValuePatterns.boundaryAfter(b, j), !alnum || j - s >= 5 else { continue }
            if kind == .zip, digits != 5 && digits != 9 { return nil }
            return TextSpan(kind: kind, start: s, end: j)
        }
        return nil
    }

    /// "jennifer lopez": a listed given name then a listed surname, both in lower case.
    static func lowercaseName(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        var j = i
        while j < b.count, ValuePatterns.isLower(b[j]) { j += 1 }
        guard j - i >= 3, j + 1 < b.count, b[j] == 32, NameLists.givenWords.contains(b, i, j),
              !NameLists.notSurnamesWords.contains(b, i, j) else { return nil }
        var k = j + 1
        while k < b.count, ValuePatterns.isLower(b[k]) { k += 1 }
        guard k - j - 1 >= 3, ValuePatterns.boundaryAfter(b, k), NameLists.familyWords.contains(b, j + 1, k),
              !NameLists.notSurnamesWords.contains(b, j + 1, k), !commonWords.contains(b, j + 1, k), !commonWords.contains(b, i, j) else { return nil }
        return k
    }

    /// Lower-case words that are also listed names but far more often ordinary words in notes.
    static let commonWords = WordSet(["will", "may", "can", "long", "little", "young", "best", "rich", "strong", "love", "snow", "rose", "hope",
        "faith", "joy", "grant", "chase", "hunter", "dean", "bill", "mark", "art", "sue", "guy", "miles", "lane",
        "reed", "cole", "stone", "river", "sky", "summer", "autumn", "june", "april", "dawn", "ivy", "iris", "daisy",
        "violet", "hazel", "jade", "pearl", "ruby", "brown", "green", "white", "black", "gray", "wood", "hill", "hall",
        "king", "price", "cross", "house", "day", "case", "page", "person", "good", "short", "small", "new", "bell",
        "banks", "ball", "gross", "booth", "branch", "church", "cherry", "frost", "glass", "lamb", "mays", "moon",
        "noble", "pace", "pope", "rush", "sharp", "wise", "wolf", "waters", "walls", "ward", "weeks", "west", "powers",
        "parks", "rivers", "flowers", "fields", "woods", "lowe", "hunt", "mills", "sims", "spears", "stout", "tapia",
        "travis", "lynn", "le", "li", "lu", "vo", "vu", "wu", "yu", "ho", "lam", "lim", "ali", "bean", "carry", "carr",
        "fry", "fox", "bush", "hood", "holt", "horn", "huff", "kirk", "knox", "mack", "mann", "marsh", "meyer",
        "monroe", "nash", "neal", "owen", "park", "rice", "roach", "ross", "rowe", "shaw", "tate", "todd", "wall"])

    /// "92-year-old", "92 year old", "92 yo", "92yo" with an age over 89.
    static func matchAge(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> TextSpan? {
        guard let (v, e) = ValuePatterns.digits(b, i, min: 2, max: 3), v > 89, v < 130 else { return nil }
        var j = e
        if j < b.count, b[j] == 32 || b[j] == 45 { j += 1 }
        for w in ["year-old", "year old", "years old", "years-old", "yo", "y/o", "y.o."] {
            if let k = ValuePatterns.lit(b, j, w), ValuePatterns.boundaryAfter(b, k) || w.hasSuffix(".") {
                return TextSpan(kind: .age, start: i, end: e, age: v)
            }
        }
        return nil
    }

    /// "aged 93", "age 93", "age: 93" with an age over 89 (the span is the number).
    static func matchAgePrefix(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> TextSpan? {
        guard b[i] | 0x20 == 97, var j = ValuePatterns.lit(b, i, "aged") ?? ValuePatterns.lit(b, i, "age") else { return nil }
        while j < b.count, b[j] == 32 || b[j] == 58 { j += 1 }
        guard j > i + 3, let (v, e) = ValuePatterns.digits(b, j, min: 2, max: 3), v > 89, v < 130 else { return nil }
        return TextSpan(kind: .age, start: j, end: e, age: v)
    }
}
