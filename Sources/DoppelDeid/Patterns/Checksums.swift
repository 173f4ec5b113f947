/// Check digits and validity rules of identifier formats that have them. Each takes the digits or
/// characters only (separators already removed).
public enum Checksums {
    /// Luhn (mod 10) check, used by payment cards, IMEI and NPI numbers.
    public static func luhn(_ digits: [UInt8]) -> Bool {
        guard digits.count >= 2 else { return false }
        var sum = 0
        for (k, d) in digits.reversed().enumerated() {
            var v = Int(d)
            if k % 2 == 1 { v *= 2; if v > 9 { v -= 9 } }
            sum += v
        }
        return sum % 10 == 0
    }

    /// A US Social Security number is never issued with area 000, 666 or 900–999, group 00 or serial 0000.
    public static func validSSN(area: Int, group: Int, serial: Int) -> Bool {
        area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
    }

    /// VIN check digit (ISO 3779, North American position-9 rule): transliterate letters, weight, mod 11.
    public static func validVIN(_ chars: [UInt8]) -> Bool {
        guard chars.count == 17 else { return false }
        let weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
        var sum = 0
        for (k, c) in chars.enumerated() {
            guard let v = vinValue(c) else { return false }
            sum += v * weights[k]
        }
        let r = sum % 11
        let check = chars[8]
        return r == 10 ? check == UInt8(ascii: "X") : check == UInt8(ascii: "0") + UInt8(r)
    }

    static func vinValue(_ c: UInt8) -> Int? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c - 48)
        case UInt8(ascii: "I"), UInt8(ascii: "O"), UInt8(ascii: "Q"): return nil
        case UInt8(ascii: "A")...UInt8(ascii: "H"): return Int(c - 65) + 1
        case UInt8(ascii: "J")...UInt8(ascii: "R"): return Int(c - 74) + 1
        case UInt8(ascii: "S")...UInt8(ascii: "Z"): return Int(c - 83) + 2
        default: return nil
        }
    }

    /// DEA registration number: two letters and seven digits, where
    /// (d1 + d3 + d5 + 2·(d2 + d4 + d6)) mod 10 = d7.
    public static func validDEA(_ chars: [UInt8]) -> Bool {
        guard chars.count == 9, isUpper(chars[0]), isUpper(chars[1]) || chars[1] == UInt8(ascii: "9") else { return false }
        let d = chars[2...].map { Int($0) - 48 }
        guard d.allSatisfy({ (0...9).contains($0) }) else { return false }
        return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]
    }

    /// Medicare Beneficiary Identifier (CMS format): 11 characters, positions
    /// C A AN N A AN N A A N N, where C is 1–9, N a digit, A a letter other than S L O I B Z.
    public static func validMBI(_ chars: [UInt8]) -> Bool {
        guard chars.count == 11 else { return false }
        func num(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        func alpha(_ c: UInt8) -> Bool { isUpper(c) && !"SLOIBZ".utf8.contains(c) }
        let pattern: [UInt8] = Array("CAXNAXNAANN".utf8)
        for (c, p) in zip(chars, pattern) {
            switch p {
            case UInt8(ascii: "C"): if !(c >= 49 && c <= 57) { return false }
            case UInt8(ascii: "N"): if !num(c) { return false }
            case UInt8(ascii: "A"): if !alpha(c) { return false }
            default: if !(num(c) || alpha(c)) { return false }
            }
        }
        return true
    }

    /// IBAN: country code, two check digits, mod-97 of the rearranged number equals 1 (ISO 13616).
    public static func validIBAN(_ chars: [UInt8]) -> Bool {
        guard chars.count >= 15, chars.count <= 34, isUpper(chars[0]), isUpper(chars[1]) else { return false }
        var rem = 0
        for c in chars[4...] + chars[..<4] {
            if c >= 48 && c <= 57 { rem = (rem * 10 + Int(c - 48)) % 97 }
            else if isUpper(c) { rem = (rem * 100 + Int(c - 55)) % 97 }
            else { return false }
        }
        return rem == 1
    }

    /// ABA routing number: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 mod 10.
    public static func validABA(_ digits: [UInt8]) -> Bool {
        guard digits.count == 9 else { return false }
        let d = digits.map(Int.init)
        return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0
    }

    @inline(__always) static func isUpper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
}
