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
            // skip to the end of this token
            i += 1
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
        if ValuePatterns.isAlpha(c) {
            if let a = matchAgePrefix(b, i) { return a }
            if let s = span(.account, ValuePatterns.matchIBAN(b, i)) { return s }
            if let s = span(.personName, NamePatterns.matchInText(b, i)) { return s }
        }
        return nil
    }

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
        guard var j = ValuePatterns.lit(b, i, "aged") ?? ValuePatterns.lit(b, i, "age") else { return nil }
        while j < b.count, b[j] == 32 || b[j] == 58 { j += 1 }
        guard j > i + 3, let (v, e) = ValuePatterns.digits(b, j, min: 2, max: 3), v > 89, v < 130 else { return nil }
        return TextSpan(kind: .age, start: j, end: e, age: v)
    }
}
