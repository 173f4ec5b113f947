/// Byte-level recognisers for identifier formats. Each `match…(b, i)` tries to read one value of its
/// format starting at byte `i` of `b` and returns the index just past it, or nil. A whole field matches
/// when the returned end is the field's end; a free-text scan calls the same recognisers at each word
/// start (``TextScanner``). Hand-written rather than regular expressions: they run on every cell of
/// million-row tables.
public enum ValuePatterns {
    public typealias Bytes = UnsafeBufferPointer<UInt8>

    // MARK: character classes
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    @inline(__always) static func isUpper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
    @inline(__always) static func isLower(_ c: UInt8) -> Bool { c >= 97 && c <= 122 }
    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { isUpper(c) || isLower(c) }
    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) }
    @inline(__always) static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 97 && c | 0x20 <= 102) }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }

    /// Reads between `min` and `max` digits at `i`; returns (value, end).
    static func digits(_ b: Bytes, _ i: Int, min: Int, max: Int) -> (Int, Int)? {
        var j = i, v = 0
        while j < b.count, j - i < max, isDigit(b[j]) { v = v * 10 + Int(b[j] - 48); j += 1 }
        if j < b.count, isDigit(b[j]) { return nil }         // more digits than allowed
        return j - i >= min ? (v, j) : nil
    }

    /// True when `i` is not inside a word or number (so a match does not start mid-token).
    @inline(__always) static func boundaryBefore(_ b: Bytes, _ i: Int) -> Bool { i == 0 || !isAlnum(b[i - 1]) }
    @inline(__always) static func boundaryAfter(_ b: Bytes, _ j: Int) -> Bool { j >= b.count || !isAlnum(b[j]) }

    static func lit(_ b: Bytes, _ i: Int, _ s: String, caseInsensitive: Bool = true) -> Int? {
        var j = i
        for c in s.utf8 {
            guard j < b.count else { return nil }
            let x = b[j]
            if caseInsensitive ? (x | (isAlpha(x) ? 0x20 : 0)) != (c | (isAlpha(c) ? 0x20 : 0)) : x != c { return nil }
            j += 1
        }
        return j
    }

    // MARK: email, URL, IP, MAC

    /// `local@domain.tld` (RFC 5322's common subset).
    public static func matchEmail(_ b: Bytes, _ i: Int) -> Int? {
        var j = i
        func localChar(_ c: UInt8) -> Bool { isAlnum(c) || c == 46 || c == 95 || c == 37 || c == 43 || c == 45 }
        while j < b.count, localChar(b[j]) { j += 1 }
        guard j > i, j < b.count, b[j] == UInt8(ascii: "@") else { return nil }
        j += 1
        var labels = 0, lastLabelStart = j, lastLabelAlpha = true
        while true {
            let s = j
            var alpha = true
            while j < b.count, isAlnum(b[j]) || b[j] == 45 { if !isAlpha(b[j]) { alpha = false }; j += 1 }
            guard j > s else { return nil }
            labels += 1; lastLabelStart = s; lastLabelAlpha = alpha
            if j + 1 < b.count, b[j] == 46, isAlnum(b[j + 1]) { j += 1; continue }
            break
        }
        guard labels >= 2, lastLabelAlpha, j - lastLabelStart >= 2 else { return nil }
        return j
    }

    /// `http://…`, `https://…` or `www.…` up to the next space (trailing punctuation excluded).
    public static func matchURL(_ b: Bytes, _ i: Int) -> Int? {
        guard let s = lit(b, i, "https://") ?? lit(b, i, "http://") ?? lit(b, i, "ftp://") ?? lit(b, i, "www.") else { return nil }
        var j = s
        while j < b.count, !isSpace(b[j]), b[j] != 34, b[j] != 60, b[j] != 62 { j += 1 }
        while j > s, [46, 44, 59, 58, 41, 33, 63].contains(b[j - 1]) { j -= 1 }
        guard j - s >= 3, b[s..<j].contains(46) || lit(b, i, "www.") == nil else { return nil }
        return j
    }

    /// Dotted-quad IPv4 address, each part 0–255.
    public static func matchIPv4(_ b: Bytes, _ i: Int) -> Int? {
        var j = i
        for part in 0..<4 {
            guard let (v, e) = digits(b, j, min: 1, max: 3), v <= 255 else { return nil }
            j = e
            if part < 3 { guard j < b.count, b[j] == 46 else { return nil }; j += 1 }
        }
        if j + 1 < b.count, b[j] == 46, isDigit(b[j + 1]) { return nil }
        return boundaryAfter(b, j) ? j : nil
    }

    /// IPv6 address: hex groups of 1–4 separated by colons, with `::` compression; at least three groups
    /// (so clock times such as 12:30:45 are not taken for addresses).
    public static func matchIPv6(_ b: Bytes, _ i: Int) -> Int? {
        var j = i, groups = 0, doubleColon = false, hasLetterOrLong = false
        if lit(b, j, "::") != nil { doubleColon = true; j += 2 }
        while j < b.count {
            let s = j
            while j < b.count, j - s < 5, isHex(b[j]) { if !isDigit(b[j]) { hasLetterOrLong = true }; j += 1 }
            if j - s == 5 { return nil }
            if j > s { groups += 1; if j - s == 4 { hasLetterOrLong = true } }
            guard j < b.count, b[j] == 58 else { break }
            if j + 1 < b.count, b[j + 1] == 58 { if doubleColon { return nil }; doubleColon = true; j += 2 } else {
                guard j + 1 < b.count, isHex(b[j + 1]) else { break }
                j += 1
            }
        }
        guard groups <= 8, (groups == 8 || (doubleColon && groups >= 2)), hasLetterOrLong || doubleColon else { return nil }
        return boundaryAfter(b, j) ? j : nil
    }

    /// MAC address: six hex pairs separated by `:` or `-`.
    public static func matchMAC(_ b: Bytes, _ i: Int) -> Int? {
        var j = i
        var sep: UInt8 = 0
        for k in 0..<6 {
            guard j + 1 < b.count, isHex(b[j]), isHex(b[j + 1]) else { return nil }
            j += 2
            if k < 5 {
                guard j < b.count, b[j] == 58 || b[j] == 45 else { return nil }
                if sep == 0 { sep = b[j] } else if b[j] != sep { return nil }
                j += 1
            }
        }
        return boundaryAfter(b, j) ? j : nil
    }

    // MARK: numbers with structure

    /// `ddd-dd-dddd` (or with spaces) with a valid area, group and serial.
    public static func matchSSN(_ b: Bytes, _ i: Int) -> Int? {
        guard let (a, e1) = digits(b, i, min: 3, max: 3), e1 < b.count, b[e1] == 45 || b[e1] == 32,
              let (g, e2) = digits(b, e1 + 1, min: 2, max: 2), e2 < b.count, b[e2] == b[e1],
              let (s, e3) = digits(b, e2 + 1, min: 4, max: 4), boundaryAfter(b, e3) else { return nil }
        return Checksums.validSSN(area: a, group: g, serial: s) ? e3 : nil
    }

    /// North American numbers — `(617) 555-0134`, `617.555.0134`, `+1 617 555 0134`, `6175550134` — and
    /// international `+cc …` numbers of 8–15 digits; an extension (`x204`, `ext. 12`) is part of the match.
    public static func matchPhone(_ b: Bytes, _ i: Int) -> Int? {
        var j = i
        if j < b.count, b[j] == 43 {                       // +
            if let e = matchNANP(b, j + 1, allowCountry: true) { return extensionEnd(b, e) }
            j += 1
            var count = 0, lastWasSep = true
            while j < b.count {
                if isDigit(b[j]) { count += 1; lastWasSep = false; j += 1 }
                else if (b[j] == 32 || b[j] == 45 || b[j] == 46), !lastWasSep, j + 1 < b.count, isDigit(b[j + 1]) { lastWasSep = true; j += 1 }
                else if b[j] == 40 || b[j] == 41 { j += 1 }
                else { break }
            }
            guard count >= 8, count <= 15, boundaryAfter(b, j) else { return nil }
            return extensionEnd(b, j)
        }
        guard let e = matchNANP(b, j, allowCountry: true) else { return nil }
        return extensionEnd(b, e)
    }

    static func matchNANP(_ b: Bytes, _ i: Int, allowCountry: Bool) -> Int? {
        var j = i
        if allowCountry, j + 1 < b.count, b[j] == 49, b[j + 1] == 32 || b[j + 1] == 45 || b[j + 1] == 46 { j += 2 }
        var paren = false
        if j < b.count, b[j] == 40 { paren = true; j += 1 }
        guard let (area, e1) = digits(b, j, min: 3, max: 3), area / 100 >= 2 else {
            // ten digits run together
            if !paren, let (_, e) = digits(b, j, min: 10, max: 10), b[j] >= 50, b[j + 3] >= 50 { return boundaryAfter(b, e) ? e : nil }
            return nil
        }
        j = e1
        if paren { guard j < b.count, b[j] == 41 else { return nil }; j += 1; if j < b.count, b[j] == 32 { j += 1 } }
        else {
            guard j < b.count, b[j] == 45 || b[j] == 46 || b[j] == 32 else { return nil }
            j += 1
        }
        let sep = j > 0 ? b[j - 1] : 0
        guard let (ex, e2) = digits(b, j, min: 3, max: 3), ex / 100 >= 2, e2 < b.count else { return nil }
        guard b[e2] == 45 || b[e2] == 46 || b[e2] == 32 else { return nil }
        if !paren, b[e2] != sep { return nil }
        guard let (_, e3) = digits(b, e2 + 1, min: 4, max: 4), boundaryAfter(b, e3) else { return nil }
        return e3
    }

    static func extensionEnd(_ b: Bytes, _ e: Int) -> Int {
        var j = e
        while j < b.count, b[j] == 32 || b[j] == 44 { j += 1 }
        for word in ["extension", "ext.", "ext", "x"] {
            if let k = lit(b, j, word) {
                var m = k
                while m < b.count, b[m] == 32 || b[m] == 46 || b[m] == 58 { m += 1 }
                if let (_, d) = digits(b, m, min: 1, max: 6) { return d }
            }
        }
        return e
    }

    /// ZIP+4: `ddddd-dddd`.
    public static func matchZIP4(_ b: Bytes, _ i: Int) -> Int? {
        guard let (_, e1) = digits(b, i, min: 5, max: 5), e1 < b.count, b[e1] == 45,
              let (_, e2) = digits(b, e1 + 1, min: 4, max: 4), boundaryAfter(b, e2) else { return nil }
        return e2
    }

    /// Five digits (a ZIP code only when the column says so: many numbers have five digits).
    public static func matchZIP5(_ b: Bytes, _ i: Int) -> Int? {
        guard let (_, e) = digits(b, i, min: 5, max: 5), boundaryAfter(b, e) else { return nil }
        return e
    }

    /// Reads digits with single space or dash separators; returns (digits, end).
    static func groupedDigits(_ b: Bytes, _ i: Int, maxDigits: Int) -> ([UInt8], Int) {
        var out: [UInt8] = []
        var j = i
        while j < b.count, out.count <= maxDigits {
            if isDigit(b[j]) { out.append(b[j] - 48); j += 1 }
            else if (b[j] == 32 || b[j] == 45), j + 1 < b.count, isDigit(b[j + 1]), j > i, isDigit(b[j - 1]) { j += 1 }
            else { break }
        }
        return (out, j)
    }

    /// Payment card number: 13–19 digits (groups allowed), first digit 3–6, Luhn check digit.
    public static func matchCard(_ b: Bytes, _ i: Int) -> Int? {
        let (d, e) = groupedDigits(b, i, maxDigits: 19)
        guard (13...19).contains(d.count), (3...6).contains(d[0]), boundaryAfter(b, e), Checksums.luhn(d) else { return nil }
        return e
    }

    /// IMEI: 15 digits with a Luhn check digit.
    public static func matchIMEI(_ b: Bytes, _ i: Int) -> Int? {
        let (d, e) = groupedDigits(b, i, maxDigits: 15)
        guard d.count == 15, boundaryAfter(b, e), Checksums.luhn(d) else { return nil }
        return e
    }

    static func alnumRun(_ b: Bytes, _ i: Int, allowSeparators: Bool) -> ([UInt8], Int) {
        var out: [UInt8] = []
        var j = i
        while j < b.count {
            if isAlnum(b[j]) { out.append(isLower(b[j]) ? b[j] - 32 : b[j]); j += 1 }
            else if allowSeparators, b[j] == 45 || b[j] == 32, j + 1 < b.count, isAlnum(b[j + 1]), j > i { j += 1 }
            else { break }
        }
        return (out, j)
    }

    /// IBAN (ISO 13616) with its mod-97 check.
    public static func matchIBAN(_ b: Bytes, _ i: Int) -> Int? {
        guard i + 4 < b.count, isUpper(b[i]), isUpper(b[i + 1]), isDigit(b[i + 2]), isDigit(b[i + 3]) else { return nil }
        let (c, e) = alnumRun(b, i, allowSeparators: true)
        return Checksums.validIBAN(c) ? e : nil
    }

    /// Vehicle identification number: 17 characters with the position-9 check digit.
    public static func matchVIN(_ b: Bytes, _ i: Int) -> Int? {
        let (c, e) = alnumRun(b, i, allowSeparators: false)
        return c.count == 17 && Checksums.validVIN(c) ? e : nil
    }

    /// Medicare Beneficiary Identifier, with or without the dashes after characters 4 and 7.
    public static func matchMBI(_ b: Bytes, _ i: Int) -> Int? {
        let (c, e) = alnumRun(b, i, allowSeparators: true)
        return c.count == 11 && Checksums.validMBI(c) && b[i..<e].filter({ $0 == 32 }).isEmpty ? e : nil
    }

    /// DEA registration number (two letters, seven digits, check digit).
    public static func matchDEA(_ b: Bytes, _ i: Int) -> Int? {
        let (c, e) = alnumRun(b, i, allowSeparators: false)
        return Checksums.validDEA(c) ? e : nil
    }

    /// `MRN 0012345`, `MRN: 12345678`, `MRN#1234567` (the letters MRN, then 5–12 digits).
    public static func matchMRN(_ b: Bytes, _ i: Int) -> Int? {
        guard var j = lit(b, i, "mrn") else { return nil }
        while j < b.count, b[j] == 32 || b[j] == 58 || b[j] == 35 || b[j] == 45 || b[j] == 95 { j += 1 }
        guard let (_, e) = digits(b, j, min: 5, max: 12) else { return nil }
        return boundaryAfter(b, e) ? e : nil
    }

    /// An image file name or path (`.jpg`, `.png`, `.dcm`, …).
    public static func matchPhotoFile(_ b: Bytes, _ i: Int) -> Int? {
        var j = i
        while j < b.count, !isSpace(b[j]), b[j] != 44, b[j] != 59 { j += 1 }
        guard j - i >= 5 else { return nil }
        for ext in [".jpeg", ".jpg", ".png", ".gif", ".bmp", ".tiff", ".tif", ".heic", ".dcm", ".webp"] {
            let n = ext.utf8.count
            if j - i > n, lit(b, j - n, ext) == j { return j }
        }
        return nil
    }

    /// A long hexadecimal or base64 blob (a stored fingerprint template or hash).
    public static func matchBlob(_ b: Bytes, _ i: Int) -> Int? {
        var j = i, hex = true
        while j < b.count, isAlnum(b[j]) || b[j] == 43 || b[j] == 47 || b[j] == 61 { if !isHex(b[j]) { hex = false }; j += 1 }
        let n = j - i
        return (hex && n >= 32) || n >= 40 ? (boundaryAfter(b, j) ? j : nil) : nil
    }

    // MARK: street addresses

    static let streetSuffixes = ["street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive", "dr",
                                 "court", "ct", "way", "place", "pl", "terrace", "ter", "parkway", "pkwy", "circle", "cir",
                                 "highway", "hwy", "square", "sq", "trail", "trl"]

    static let streetSuffixWords = WordSet(streetSuffixes)

    /// `123 Main St`, `4501 N. Oak Avenue, Apt 4B`: a house number, one to four words, a street suffix.
    public static func matchStreetAddress(_ b: Bytes, _ i: Int) -> Int? {
        guard let (_, e0) = digits(b, i, min: 1, max: 6), e0 < b.count, b[e0] == 32 else { return nil }
        var j = e0 + 1
        var words = 0
        while words < 5, j < b.count, isAlpha(b[j]) {
            let s = j
            while j < b.count, isAlpha(b[j]) { j += 1 }
            var end = j
            if end < b.count, b[end] == 46 { end += 1 }
            if words >= 1, streetSuffixWords.contains(b, s, j), boundaryAfter(b, j) {
                return unitEnd(b, end)
            }
            words += 1
            j = end
            guard j < b.count, b[j] == 32 else { return nil }
            j += 1
        }
        return nil
    }

    static func unitEnd(_ b: Bytes, _ e: Int) -> Int {
        var j = e
        if j < b.count, b[j] == 44 { j += 1 }
        while j < b.count, b[j] == 32 { j += 1 }
        for word in ["apartment", "apt.", "apt", "unit", "suite", "ste", "#"] {
            if var k = lit(b, j, word) {
                while k < b.count, b[k] == 32 { k += 1 }
                var m = k
                while m < b.count, isAlnum(b[m]) || b[m] == 45 { m += 1 }
                if m > k { return m }
            }
        }
        return e
    }
}
