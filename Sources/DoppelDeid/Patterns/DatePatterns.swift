import DoppelData

/// A date found in text, with enough of its written form to write a shifted date the same way.
public struct DateMatch: Sendable, Equatable {
    public enum Style: Sendable, Equatable {
        /// 2021-03-14 (separator kept).
        case isoNumeric(sep: UInt8)
        /// 03/14/2021 or 3/14/21, month first.
        case monthFirst(sep: UInt8, padded: Bool, twoDigitYear: Bool)
        /// 14.03.2021, day first (used when the first number cannot be a month).
        case dayFirst(sep: UInt8, padded: Bool, twoDigitYear: Bool)
        /// March 14, 2021 / Mar 14 2021 / Mar. 14, 2021.
        case monthNameFirst(name: String, comma: Bool)
        /// 14 March 2021 / 14-Mar-2021.
        case dayMonthName(name: String, sep: UInt8)
        /// March 2021 (month and year only).
        case monthNameYear(name: String)
        /// 20210314.
        case compact
    }
    public var end: Int
    public var year: Int, month: Int, day: Int
    public var style: Style

    /// Writes `days` (days since 1970-01-01) in this match's style.
    public func render(days: Int) -> String {
        let (y, m, d) = CivilDate.civilFromDays(days)
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        func monthName(_ like: String) -> String {
            let full = DatePatterns.monthNames[m - 1]
            var n = like.count > 4 || like.lowercased() == "may" && like.count == 3 && full.count == 3 ? full : String(full.prefix(3))
            if like.count == 4, like.hasSuffix(".") { n = String(full.prefix(3)) + "." }
            if like.first?.isUppercase == false { n = n.lowercased() } else if like == like.uppercased() && like.count > 1 { n = n.uppercased() }
            return n
        }
        let sepStr = { (s: UInt8) in String(UnicodeScalar(s)) }
        switch style {
        case .isoNumeric(let s): return pad(y, 4) + sepStr(s) + pad(m, 2) + sepStr(s) + pad(d, 2)
        case .monthFirst(let s, let p, let two): return (p ? pad(m, 2) : String(m)) + sepStr(s) + (p ? pad(d, 2) : String(d)) + sepStr(s) + (two ? pad(y % 100, 2) : pad(y, 4))
        case .dayFirst(let s, let p, let two): return (p ? pad(d, 2) : String(d)) + sepStr(s) + (p ? pad(m, 2) : String(m)) + sepStr(s) + (two ? pad(y % 100, 2) : pad(y, 4))
        case .monthNameFirst(let name, let comma): return monthName(name) + " " + String(d) + (comma ? ", " : " ") + pad(y, 4)
        case .dayMonthName(let name, let s): return String(d) + sepStr(s) + monthName(name) + sepStr(s) + pad(y, 4)
        case .monthNameYear(let name): return monthName(name) + " " + pad(y, 4)
        case .compact: return pad(y, 4) + pad(m, 2) + pad(d, 2)
        }
    }

    public var days: Int { CivilDate.daysFromCivil(year: year, month: month, day: day) }
}

/// Recognises dates written in the common forms of medical records.
public enum DatePatterns {
    typealias Bytes = UnsafeBufferPointer<UInt8>
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]

    /// Month by the hash of its lower-cased full name, three-letter abbreviation, or "sept".
    static let monthIndex: [UInt64: Int] = {
        var d = [UInt64: Int]()
        for (k, name) in monthNames.enumerated() {
            d[WordSet.hash(Array(name.lowercased().utf8))] = k
            d[WordSet.hash(Array(name.lowercased().prefix(3).utf8))] = k
        }
        d[WordSet.hash(Array("sept".utf8))] = 8
        return d
    }()

    static func valid(_ y: Int, _ m: Int, _ d: Int) -> Bool {
        (1800...2200).contains(y) && (1...12).contains(m) && d >= 1 && d <= CivilDate.daysInMonth(year: y, month: m)
    }

    static func expandYear(_ y: Int, twoDigits: Bool) -> Int { twoDigits ? (y >= 40 ? 1900 + y : 2000 + y) : y }

    /// Reads a month name (full, three letters, or three letters and a dot) at `i`: (month, end, text).
    static func monthName(_ b: Bytes, _ i: Int) -> (Int, Int, String)? {
        var j = i
        while j < b.count, ValuePatterns.isAlpha(b[j]) { j += 1 }
        guard j - i >= 3, ValuePatterns.boundaryAfter(b, j) else { return nil }
        guard j - i <= 9, let k = monthIndex[WordSet.hash(UnsafeBufferPointer(rebasing: b[i..<j]))] else { return nil }
        let word = String(decoding: UnsafeBufferPointer(rebasing: b[i..<j]), as: UTF8.self)
        if j < b.count, b[j] == 46, j - i <= 4 { return (k + 1, j + 1, word + ".") }
        return (k + 1, j, word)
    }

    /// The date starting at byte `i`, if any.
    public static func match(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> DateMatch? {
        guard i < b.count else { return nil }
        if ValuePatterns.isDigit(b[i]) { return numeric(b, i) }
        if ValuePatterns.isAlpha(b[i]), let (m, e, text) = monthName(b, i) {
            // March 14, 2021 / Mar 14 2021 / March 2021
            var j = e
            guard j < b.count, b[j] == 32 else { return nil }
            j += 1
            if let (d, e2) = ValuePatterns.digits(b, j, min: 1, max: 2) {
                var k = e2
                if k + 1 < b.count, lowerPair(b, k) == "st" || lowerPair(b, k) == "nd" || lowerPair(b, k) == "rd" || lowerPair(b, k) == "th" { k += 2 }
                var comma = false
                if k < b.count, b[k] == 44 { comma = true; k += 1 }
                guard k < b.count, b[k] == 32 else { return nil }
                k += 1
                guard let (y, e3) = ValuePatterns.digits(b, k, min: 4, max: 4), valid(y, m, d), ValuePatterns.boundaryAfter(b, e3) else { return nil }
                return DateMatch(end: e3, year: y, month: m, day: d, style: .monthNameFirst(name: text, comma: comma))
            }
            if text.count >= 3, let (y, e2) = ValuePatterns.digits(b, j, min: 4, max: 4), valid(y, m, 1), ValuePatterns.boundaryAfter(b, e2) {
                return DateMatch(end: e2, year: y, month: m, day: 1, style: .monthNameYear(name: text))
            }
        }
        return nil
    }

    static func lowerPair(_ b: Bytes, _ k: Int) -> String {
        String(decoding: [b[k] | 0x20, b[k + 1] | 0x20], as: UTF8.self)
    }

    static func numeric(_ b: Bytes, _ i: Int) -> DateMatch? {
        guard let (a, e1) = ValuePatterns.digits(b, i, min: 1, max: 8) else { return nil }
        let la = e1 - i
        if la == 8 {   // 20210314
            let y = a / 10000, m = (a / 100) % 100, d = a % 100
            guard valid(y, m, d), (1900...2100).contains(y), ValuePatterns.boundaryAfter(b, e1) else { return nil }
            return DateMatch(end: e1, year: y, month: m, day: d, style: .compact)
        }
        guard e1 < b.count else { return nil }
        let sep = b[e1]
        if la <= 2, sep == 32 || sep == 45, let (m, e, text) = monthName(b, e1 + 1), e < b.count, b[e] == sep,
           let (y, e3) = ValuePatterns.digits(b, e + 1, min: 4, max: 4), valid(y, m, a), ValuePatterns.boundaryAfter(b, e3) {
            return DateMatch(end: e3, year: y, month: m, day: a, style: .dayMonthName(name: text, sep: sep))
        }
        guard sep == 45 || sep == 47 || sep == 46 else { return nil }
        guard let (c2, e2) = ValuePatterns.digits(b, e1 + 1, min: 1, max: 2), e2 < b.count, b[e2] == sep,
              let (c3, e3) = ValuePatterns.digits(b, e2 + 1, min: 2, max: 4) else { return nil }
        let l3 = e3 - e2 - 1
        guard l3 == 2 || l3 == 4 else { return nil }
        if la == 4 {
            guard l3 == 2, valid(a, c2, c3) else { return nil }
            var end = e3
            // an optional time: T10:15 or " 10:15:30"
            if end + 5 < b.count, b[end] == 84 || b[end] == 32, ValuePatterns.isDigit(b[end + 1]), ValuePatterns.isDigit(b[end + 2]), b[end + 3] == 58 {
                var k = end + 4
                while k < b.count, ValuePatterns.isDigit(b[k]) || b[k] == 58 || b[k] == 46 { k += 1 }
                // a time zone: Z, or ±hh:mm / ±hhmm
                if k < b.count, b[k] == 90 { k += 1 }
                else if k + 2 < b.count, b[k] == 43 || b[k] == 45, ValuePatterns.isDigit(b[k + 1]), ValuePatterns.isDigit(b[k + 2]) {
                    k += 3
                    while k < b.count, ValuePatterns.isDigit(b[k]) || b[k] == 58 { k += 1 }
                }
                end = k
            }
            guard ValuePatterns.boundaryAfter(b, end) else { return nil }
            return DateMatch(end: e3, year: a, month: c2, day: c3, style: .isoNumeric(sep: sep))
        }
        guard la <= 2, ValuePatterns.boundaryAfter(b, e3) else { return nil }
        if l3 == 2, sep == 46 { return nil }  // 1.2.34 is more likely a version or a number
        let two = l3 == 2
        let y = expandYear(c3, twoDigits: two)
        let padded = la == 2 && e2 - e1 - 1 == 2
        if valid(y, a, c2) { return DateMatch(end: e3, year: y, month: a, day: c2, style: .monthFirst(sep: sep, padded: padded, twoDigitYear: two)) }
        if valid(y, c2, a) { return DateMatch(end: e3, year: y, month: c2, day: a, style: .dayFirst(sep: sep, padded: padded, twoDigitYear: two)) }
        return nil
    }
}
