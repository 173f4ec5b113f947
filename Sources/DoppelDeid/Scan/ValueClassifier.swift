/// Classifies one whole field as an identifier format. `strong` formats are nearly never anything
/// else (an email, a Luhn-valid card number); weak ones (five digits, a single listed name) count
/// only when the column as a whole agrees.
public enum ValueClassifier {
    public struct Match: Equatable, Sendable { public var kind: PHIKind; public var strong: Bool }

    public static func classify(_ field: UnsafeBufferPointer<UInt8>) -> Match? {
        var lo = 0, hi = field.count
        while lo < hi, field[lo] == 32 { lo += 1 }
        while hi > lo, field[hi - 1] == 32 { hi -= 1 }
        guard hi > lo else { return nil }
        let b = UnsafeBufferPointer(rebasing: field[lo..<hi])
        let n = b.count
        func whole(_ e: Int?) -> Bool { e == n }
        func strong(_ k: PHIKind) -> Match { Match(kind: k, strong: true) }
        func weak(_ k: PHIKind) -> Match { Match(kind: k, strong: false) }
        let c = b[0]
        if ValuePatterns.isAlnum(c) {
            if whole(ValuePatterns.matchEmail(b, 0)) { return strong(.email) }
            if whole(ValuePatterns.matchURL(b, 0)) { return strong(.url) }
            if whole(ValuePatterns.matchMRN(b, 0)) { return strong(.medicalRecord) }
        }
        if ValuePatterns.isHex(c) || c == 58 {
            if whole(ValuePatterns.matchIPv4(b, 0)) || whole(ValuePatterns.matchIPv6(b, 0)) { return strong(.ip) }
            if whole(ValuePatterns.matchMAC(b, 0)) { return strong(.device) }
        }
        if ValuePatterns.isDigit(c) || c == 43 || c == 40 {
            if whole(ValuePatterns.matchSSN(b, 0)) { return strong(.ssn) }
            if whole(ValuePatterns.matchZIP4(b, 0)) { return strong(.zip) }
            if whole(ValuePatterns.matchPhone(b, 0)) {
                // ten bare digits are a phone number only weakly
                return b.allSatisfy(ValuePatterns.isDigit) ? weak(.phone) : strong(.phone)
            }
            // a national number with its trunk 0 (UK 07…, 01…, 02…; much of Europe): weakly a phone
            if n == 10 || n == 11, c == 48, b[1] != 48, b.allSatisfy(ValuePatterns.isDigit) { return weak(.phone) }
        }
        if ValuePatterns.isDigit(c) {
            if whole(ValuePatterns.matchCard(b, 0)) { return b.allSatisfy(ValuePatterns.isDigit) && n == 15 ? weak(.device) : strong(.account) }
            if whole(ValuePatterns.matchStreetAddress(b, 0)) { return strong(.streetAddress) }
            if whole(ValuePatterns.matchIMEI(b, 0)) { return weak(.device) }
            if let d = DatePatterns.match(b, 0), d.end == n || dateTimeTail(b, d.end) { return d.style == .compact ? weak(.date) : strong(.date) }
            if whole(ValuePatterns.matchZIP5(b, 0)) { return weak(.zip) }
            if n == 9, b.allSatisfy(ValuePatterns.isDigit) {
                let a = Int(b[0] - 48) * 100 + Int(b[1] - 48) * 10 + Int(b[2] - 48)
                let g = Int(b[3] - 48) * 10 + Int(b[4] - 48)
                let s = Int(b[5] - 48) * 1000 + Int(b[6] - 48) * 100 + Int(b[7] - 48) * 10 + Int(b[8] - 48)
                if Checksums.validSSN(area: a, group: g, serial: s) { return weak(.ssn) }
            }
        }
        if ValuePatterns.isAlpha(c) {
            if let d = DatePatterns.match(b, 0), d.end == n { return strong(.date) }
            if whole(ValuePatterns.matchVIN(b, 0)) { return strong(.vehicle) }
            if whole(ValuePatterns.matchMBI(b, 0)) { return strong(.healthPlan) }
            if whole(ValuePatterns.matchDEA(b, 0)) { return strong(.license) }
            if whole(ValuePatterns.matchIBAN(b, 0)) { return strong(.account) }
        }
        if whole(ValuePatterns.matchPhotoFile(b, 0)) { return strong(.photo) }
        if ValuePatterns.isAlnum(c), whole(ValuePatterns.matchVIN(b, 0)) { return strong(.vehicle) }
        if whole(ValuePatterns.matchBlob(b, 0)) { return weak(.biometric) }
        if ValuePatterns.isAlpha(c) || c >= 0x80 {
            let a = NamePatterns.assess(b)
            if a.shape, a.listed >= 1 { return a.words >= 2 && a.listed >= 1 ? strong(.personName) : weak(.personName) }
        }
        return nil
    }

    /// A date followed by a clock time (`2021-03-14 10:15`, `2021-03-14T10:15:00Z`).
    static func dateTimeTail(_ b: UnsafeBufferPointer<UInt8>, _ e: Int) -> Bool {
        guard e < b.count, b[e] == 32 || b[e] == 84 else { return false }
        var j = e + 1, colons = 0
        while j < b.count {
            let c = b[j]
            if c == 58 { colons += 1 } else if !(ValuePatterns.isDigit(c) || c == 46 || c == 90 || c == 43 || c == 45) { return false }
            j += 1
        }
        return colons >= 1
    }
}
