/// Keyed fake values for each kind of identifier. Every function is deterministic in (key, value,
/// attempt): the same person gets the same pseudonym in every file and run with the same key, and
/// `attempt` > 0 gives the redraws used when a fake value happens to equal a real one in the input.
///
/// Fakes are chosen so they cannot be real where a reserved range exists: phone numbers in the
/// fictional 555-0100…0199 block, Social Security numbers with an area of 900–999 (never issued),
/// email and web addresses at the example domains of RFC 2606, IP addresses in the documentation
/// ranges of RFC 5737 and RFC 3849, payment card numbers with a failing Luhn digit.
public struct Pseudonyms: Sendable {
    let codes: SipHash, names: SipHash, contact: SipHash, shifts: SipHash

    public init(key: DeidKey) {
        codes = key.prf("codes"); names = key.prf("names"); contact = key.prf("contact"); shifts = key.prf("date-shift")
    }

    // MARK: helpers

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    /// A stream of pseudo-random numbers from one PRF call per four draws.
    struct Stream {
        let prf: SipHash
        let input: [UInt8]
        var tweak: UInt64
        var word: UInt64 = 0
        var left = 0
        init(_ prf: SipHash, _ input: [UInt8], tweak: UInt64) { self.prf = prf; self.input = input; self.tweak = tweak }
        mutating func next(_ bound: Int) -> Int {
            if left == 0 { word = prf.hash(input, tweak: tweak); tweak &+= 0x9E37_79B9_7F4A_7C15; left = 4 }
            let v = Int(word & 0xFFFF); word >>= 16; left -= 1
            return v % bound
        }
    }

    static func lower(_ v: [UInt8]) -> [UInt8] { v.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 } }

    // MARK: codes (record, plan, account, licence, vehicle, device and other numbers)

    /// A keyed permutation of the value's letters and digits that keeps its shape (digit stays digit,
    /// upper-case letter stays upper-case, separators stay), after a kept prefix of two to four capital
    /// letters (`MRN`, `PT`). `pad` extra digits are put in front so a dense range of real numbers
    /// does not map onto itself; short numbers are padded to eight characters, so small
    /// record numbers (1, 2, 3, …) land in a space far larger than the hospital's. Distinct inputs of one shape give distinct outputs (an 8-round
    /// Feistel network over the mixed-radix digits, with SipHash rounds).
    public func code(_ value: [UInt8], domain: String, pad: Int = 2, attempt: Int = 0) -> [UInt8] {
        var prefixEnd = 0
        while prefixEnd < value.count, value[prefixEnd] | 0x20 >= 97, value[prefixEnd] | 0x20 <= 122 { prefixEnd += 1 }
        if !(1...4).contains(prefixEnd) || prefixEnd == value.count || !Pseudonyms.isDigit(value[prefixEnd]) && ![45, 35, 58, 32, 95].contains(value[prefixEnd]) { prefixEnd = 0 }
        if prefixEnd == 1, value[1...].contains(where: { $0 | 0x20 >= 97 && $0 | 0x20 <= 122 }) { prefixEnd = 0 }   // "K7Q-29XZ" is all code
        // separators right after the prefix stay with it ("MRN 0012345" keeps "MRN ")
        while prefixEnd > 0, prefixEnd < value.count, [45, 35, 58, 32, 95].contains(value[prefixEnd]) { prefixEnd += 1 }
        var body = Array(value[prefixEnd...])
        let hasAlnum = body.contains { Pseudonyms.isDigit($0) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) }
        if !hasAlnum { return value }
        // leading pad digits (the first never zero), to at least 8 letters and digits in all
        let alnums = body.filter { Pseudonyms.isDigit($0) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) }.count
        // long codes (a VIN, an MBI) already live in a huge space: they keep their exact length
        let pad = alnums >= 10 ? 0 : max(pad, 8 - alnums)
        body = [UInt8](repeating: 48, count: pad) + body
        var positions: [Int] = [], radix: [Int] = [], base: [UInt8] = [], x: [Int] = []
        for (i, c) in body.enumerated() {
            if Pseudonyms.isDigit(c) { positions.append(i); radix.append(i == 0 && pad > 0 ? 9 : 10); base.append(i == 0 && pad > 0 ? 49 : 48); x.append(Int(c) - (i == 0 && pad > 0 ? 48 : 48)) }
            else if c >= 65 && c <= 90 { positions.append(i); radix.append(26); base.append(65); x.append(Int(c) - 65) }
            else if c >= 97 && c <= 122 { positions.append(i); radix.append(26); base.append(97); x.append(Int(c) - 97) }
        }
        if pad > 0 { x[0] = 0 }
        let shape: [UInt8] = radix.map { UInt8($0) } + Array(domain.utf8)
        let n = x.count
        let half = max(1, n / 2)
        for round in 0..<8 {
            let (src, dst) = round % 2 == 0 ? (half..<n, 0..<half) : (0..<half, half..<n)
            if src.isEmpty || dst.isEmpty { continue }
            var input = shape
            input.append(UInt8(round)); input.append(UInt8(truncatingIfNeeded: attempt)); input.append(UInt8(truncatingIfNeeded: attempt >> 8))
            for k in src { input.append(UInt8(x[k])) }
            var s = Stream(codes, input, tweak: UInt64(round))
            for k in dst { x[k] = (x[k] + s.next(radix[k])) % radix[k] }
        }
        for (k, p) in positions.enumerated() { body[p] = base[k] + UInt8(x[k]) }
        return Array(value[..<prefixEnd]) + body
    }

    // MARK: names

    public enum NameRole: String, Sendable, Codable { case given, family, full }

    /// A fake name with the original's number of words, order ("Last, First") and letter case. Full
    /// names are drawn from common-name lists; a column of given or family names alone gets invented,
    /// pronounceable names, because single common names collide with real ones so often that the
    /// redraw would make a person's pseudonym depend on which other people are in the file.
    public func personName(_ value: [UInt8], role: NameRole, attempt: Int = 0) -> [UInt8] {
        // word boundaries and letter case of the original, read from the bytes
        var wordLengths: [Int] = []
        var comma = false, anyUpper = false, anyLower = false, run = 0
        for c in value {
            if c == 32 || c == 44 { if c == 44 { comma = true }; if run > 0 { wordLengths.append(run); run = 0 } }
            else { run += 1; if c >= 65 && c <= 90 { anyUpper = true } else if c >= 97 && c <= 122 { anyLower = true } }
        }
        if run > 0 { wordLengths.append(run) }
        let count = max(1, wordLengths.count)
        let allLower = !anyUpper, allUpper = !anyLower && value.count > 1
        var s = Stream(names, Pseudonyms.lower(value), tweak: UInt64(attempt) << 32)
        var out: [UInt8] = []
        out.reserveCapacity(value.count + 8)
        for w in 0..<count {
            if w > 0 { if comma && w == 1 { out.append(44) }; out.append(32) }
            let useFamily: Bool
            switch role {
            case .given: useFamily = false
            case .family: useFamily = true
            case .full: useFamily = comma ? w == 0 : (w == count - 1 && count > 1)
            }
            var word: [UInt8]
            if role == .full, count >= 3, w > 0, w < count - 1, wordLengths[w] <= 2 {   // middle initial
                word = [UInt8(97 + s.next(26)), 46]
            } else if attempt >= 4 || role != .full {
                // after a few clashes with real names, build a name from syllables: a pool far larger
                // than any hospital's, so the redraw always ends
                word = Array(Pseudonyms.syllableName(&s).utf8)
            } else {
                let list = useFamily ? NameLists.familyBytes : NameLists.givenBytes
                word = list[s.next(list.count)]
            }
            // letter case like the original: all lower, all upper, or capitalised (also after ' and -)
            var capitalNext = true
            for c in word {
                let lower = c >= 65 && c <= 90 ? c + 32 : c
                if allLower { out.append(lower) }
                else if allUpper || capitalNext { out.append(lower >= 97 && lower <= 122 ? lower - 32 : lower) }
                else { out.append(lower) }
                capitalNext = c == 39 || c == 45
            }
        }
        return out
    }

    static let onsets = ["b", "br", "c", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "sh", "t", "th", "v", "w", "z"]
    static let vowels = ["a", "e", "i", "o", "u", "ai", "ea", "io"]
    static let codas = ["", "", "n", "l", "r", "s", "th", "nd", "m", "x"]

    /// A pronounceable invented name of two or three syllables ("Tharon", "Belivex").
    static func syllableName(_ s: inout Stream) -> String {
        var w = ""
        for k in 0..<(2 + s.next(2)) {
            w += onsets[s.next(onsets.count)] + vowels[s.next(vowels.count)]
            if k > 0 { w += codas[s.next(codas.count)] }
        }
        return w
    }

    // MARK: contact details

    /// Replaces the digits of `value` in order by `digits`, keeping every other character.
    static func substituteDigits(_ value: [UInt8], _ digits: [UInt8]) -> [UInt8] {
        var out = value, k = 0
        for i in out.indices where isDigit(out[i]) {
            out[i] = k < digits.count ? 48 + digits[k] : out[i]
            k += 1
        }
        return out
    }

    /// A phone number in the fictional 555-01XX block, written like the original (extension kept as digits).
    public func phone(_ value: [UInt8], attempt: Int = 0) -> [UInt8] {
        var s = Stream(contact, [0x70] + value.filter(Pseudonyms.isDigit), tweak: UInt64(attempt))
        // digits before an extension marker
        var mainDigits = 0
        for c in value { if c | 0x20 == 120 || c | 0x20 == 101 { break }; if Pseudonyms.isDigit(c) { mainDigits += 1 } }
        let total = value.filter(Pseudonyms.isDigit).count
        var d: [UInt8] = []
        if mainDigits == 10 || mainDigits == 11 {
            if mainDigits == 11 { d.append(1) }
            d += [UInt8(2 + s.next(8)), UInt8(s.next(10)), UInt8(s.next(10)), 5, 5, 5, 0, 1, UInt8(s.next(10)), UInt8(s.next(10))]
        } else {
            let keep = value.filter(Pseudonyms.isDigit).prefix(2).map { $0 - 48 }
            d += keep
            while d.count < mainDigits { d.append(UInt8(s.next(10))) }
        }
        while d.count < total { d.append(UInt8(s.next(10))) }
        return Pseudonyms.substituteDigits(value, d)
    }

    /// A Social Security number with area 900–999 (never issued), in the original's layout.
    public func ssn(_ value: [UInt8], attempt: Int = 0) -> [UInt8] {
        var s = Stream(contact, [0x73] + value.filter(Pseudonyms.isDigit), tweak: UInt64(attempt))
        var d: [UInt8] = [9]
        while d.count < 9 { d.append(UInt8(s.next(10))) }
        if d[3] == 0 && d[4] == 0 { d[4] = 1 }
        return Pseudonyms.substituteDigits(value, d)
    }

    /// `given.family<NN>@example.org` (or .com / .net): reserved example domains.
    public func email(_ value: [UInt8], attempt: Int = 0) -> [UInt8] {
        var s = Stream(contact, [0x65] + Pseudonyms.lower(value), tweak: UInt64(attempt))
        var out = NameLists.givenBytes[s.next(NameLists.givenBytes.count)]
        out.append(46)
        out += NameLists.familyBytes[s.next(NameLists.familyBytes.count)].filter { $0 != 39 }
        out += Array(String(s.next(100)).utf8)
        out += Pseudonyms.exampleDomains[s.next(3)]
        return out
    }

    static let exampleDomains = ["@example.org", "@example.com", "@example.net"].map { Array($0.utf8) }

    public func url(_ value: [UInt8], attempt: Int = 0) -> [UInt8] {
        var s = Stream(contact, [0x75] + Pseudonyms.lower(value), tweak: UInt64(attempt))
        let path = (0..<8).map { _ in String(UnicodeScalar(UInt8(97 + s.next(26)))) }.joined()
        return Array("https://www.example.org/\(path)".utf8)
    }

    /// IPv4 in 192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24; IPv6 in 2001:db8::/32.
    public func ip(_ value: [UInt8], attempt: Int = 0) -> [UInt8] {
        var s = Stream(contact, [0x69] + Pseudonyms.lower(value), tweak: UInt64(attempt))
        if value.contains(58) {
            return Array("2001:db8:\(String(s.next(65536), radix: 16)):\(String(s.next(65536), radix: 16))::\(String(1 + s.next(65535), radix: 16))".utf8)
        }
        let net = ["192.0.2", "198.51.100", "203.0.113"][s.next(3)]
        return Array("\(net).\(1 + s.next(254))".utf8)
    }

    /// A locally administered MAC address 02:00:5E:xx:xx:xx (never a manufacturer's assigned address),
    /// in the original's separator.
    public func mac(_ value: [UInt8], attempt: Int = 0) -> [UInt8] {
        var s = Stream(contact, [0x6d] + Pseudonyms.lower(value), tweak: UInt64(attempt))
        let sep = value.contains(45) ? "-" : ":"
        return Array((["02", "00", "5e"] + (0..<3).map { _ in String(format: "%02x", s.next(256)) }).joined(separator: sep).utf8)
    }

    static let streetSuffixes = ["St", "Ave", "Rd", "Ln", "Dr", "Ct", "Way", "Pl", "Blvd", "Terrace"]

    /// A street address: a house number, a surname as the street name, a suffix.
    public func streetAddress(_ value: [UInt8], attempt: Int = 0) -> [UInt8] {
        var s = Stream(contact, [0x61] + Pseudonyms.lower(value), tweak: UInt64(attempt))
        var out = Array(String(1 + s.next(9899)).utf8)
        out.append(32)
        var street = NameLists.familyBytes[s.next(NameLists.familyBytes.count)].filter { $0 != 39 }
        street[0] -= 32
        out += street
        out.append(32)
        out += Array(Pseudonyms.streetSuffixes[s.next(10)].utf8)
        return out
    }

    /// A card or account number with the same layout whose Luhn check fails, so it is not a real card.
    public func card(_ value: [UInt8], attempt: Int = 0) -> [UInt8] {
        var s = Stream(contact, [0x63] + value.filter(Pseudonyms.isDigit), tweak: UInt64(attempt))
        let n = value.filter(Pseudonyms.isDigit).count
        var d = (0..<n).map { k in k == 0 ? UInt8(4) : UInt8(s.next(10)) }
        if Checksums.luhn(d) { d[n - 1] = (d[n - 1] + 1) % 10 }
        return Pseudonyms.substituteDigits(value, d)
    }

    // MARK: places and dates

    /// Three-digit ZIP areas with 20,000 or fewer people (2000 Census), which Safe Harbor requires to be
    /// written as 000.
    public static let restrictedZIP3: Set<String> = ["036", "059", "063", "102", "203", "556", "692", "790", "821", "823",
                                                     "830", "831", "878", "879", "884", "890", "893"]

    /// The first three digits of a ZIP code, or 000 for a restricted area.
    public static func zip3(_ value: [UInt8]) -> [UInt8] {
        var d = value.filter(isDigit)
        // 4- and 3-digit values are ZIP codes whose leading zeros a spreadsheet dropped (2134 = 02134)
        if d.count == 3 || d.count == 4 { d = [UInt8](repeating: 48, count: 5 - d.count) + d }
        guard d.count >= 5 else { return Array("000".utf8) }
        let z = String(decoding: d.prefix(3), as: UTF8.self)
        return restrictedZIP3.contains(z) ? Array("000".utf8) : Array(z.utf8)
    }

    /// The per-person date shift in days, in ±[1, `range`], from the person's key value.
    public func shiftDays(person: [UInt8], range: Int = 365) -> Int {
        let h = shifts.hash(person)
        let k = Int(h % UInt64(2 * range))
        return k < range ? k - range : k - range + 1
    }
}
