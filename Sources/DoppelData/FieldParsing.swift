import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level parsing of single CSV fields: missing tokens, numbers and booleans.
public enum FieldParsing {
    /// True for the missing-value tokens: empty, NA, N/A, NaN, null, NULL, ?, . (and na, n/a, nan, NAN,
    /// Null). Case matters: `Na` (sodium) and `Nan` are values.
    @inlinable
    public static func isMissing(_ f: UnsafeBufferPointer<UInt8>) -> Bool {
        switch f.count {
        case 0: return true
        case 1: return f[0] == 0x3F || f[0] == 0x2E            // ? .
        // Each token in one case, so that `Na` (sodium) and `Nan` (a name) stay values.
        case 2: return (f[0] == 0x4E && f[1] == 0x41) || (f[0] == 0x6E && f[1] == 0x61)        // NA na
        case 3:
            let (a, b, c) = (f[0], f[1], f[2])
            if b == 0x2F { return (a == 0x4E && c == 0x41) || (a == 0x6E && c == 0x61) }    // N/A n/a
            return (a == 0x4E && b == 0x61 && c == 0x4E) || (a == 0x6E && b == 0x61 && c == 0x6E)
                || (a == 0x4E && b == 0x41 && c == 0x4E)                                   // NaN nan NAN
        case 4:
            let word = (UInt32(f[0]) << 24) | (UInt32(f[1]) << 16) | (UInt32(f[2]) << 8) | UInt32(f[3])
            return word == 0x6E75_6C6C || word == 0x4E55_4C4C || word == 0x4E75_6C6C       // null NULL Null
        default: return false
        }
    }

    /// 10^k for k in 0...22, all exact in binary64 (a switch: no lazy global on the hot path).
    @inlinable @inline(__always)
    static func exactPower(_ k: Int) -> Double {
        switch k {
        case 0: return 1; case 1: return 1e1; case 2: return 1e2; case 3: return 1e3; case 4: return 1e4
        case 5: return 1e5; case 6: return 1e6; case 7: return 1e7; case 8: return 1e8; case 9: return 1e9
        case 10: return 1e10; case 11: return 1e11; case 12: return 1e12; case 13: return 1e13; case 14: return 1e14
        case 15: return 1e15; case 16: return 1e16; case 17: return 1e17; case 18: return 1e18; case 19: return 1e19
        case 20: return 1e20; case 21: return 1e21; default: return 1e22
        }
    }

    /// A number written with thousands separators, "1,234" or "-12,345,678.90": groups of exactly
    /// three digits after each comma (so "1,5" — a decimal comma — is not taken for 15).
    static func parseGrouped(_ f: UnsafeBufferPointer<UInt8>, decimals: inout Int) -> Double? {
        var plain: [UInt8] = []
        var i = 0
        if f[0] == 0x2D || f[0] == 0x2B { plain.append(f[0]); i = 1 }
        var lead = 0
        while i < f.count, f[i] &- 0x30 < 10 { plain.append(f[i]); lead += 1; i += 1 }
        guard (1...3).contains(lead) else { return nil }
        while i < f.count, f[i] == 0x2C {
            i += 1
            for _ in 0..<3 { guard i < f.count, f[i] &- 0x30 < 10 else { return nil }; plain.append(f[i]); i += 1 }
        }
        if i < f.count, f[i] == 0x2E { plain.append(contentsOf: f[i...]); i = f.count }
        guard i == f.count, !plain.contains(0x2C) else { return nil }
        return plain.withUnsafeBufferPointer { p in
            p.first == 0x2C ? nil : parseNumber(p, decimals: &decimals)
        }
    }

    /// The largest magnitude read as a number. Beyond it a value is taken for a sentinel or a typing
    /// error rather than a measurement (no clinical quantity comes near it), and arithmetic on it —
    /// squares, spans, sums — would overflow to infinity; `1e400`, which would read as infinity, is
    /// refused with it.
    public static let largestNumber = 1e100

    /// Parses a decimal number (optional sign, digits, optional fraction, optional exponent).
    /// Returns nil when the field is not a number, or is one larger in magnitude than ``largestNumber``.
    /// Plain decimals with up to 19 significant digits and up to 22 fraction digits are converted
    /// exactly-rounded without calling strtod. `decimals` receives the number of digits after the point
    /// (−1 when an exponent was used).
    public static func parseNumber(_ f: UnsafeBufferPointer<UInt8>, decimals: inout Int) -> Double? {
        let n = f.count
        if n == 0 { return nil }
        var i = 0
        var negative = false
        if f[0] == 0x2D { negative = true; i = 1 } else if f[0] == 0x2B { i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fracDigits = 0
        var sawDigit = false
        var overflow = false
        while i < n, f[i] &- 0x30 < 10 {
            if mantissa < 1_000_000_000_000_000_000 { mantissa = mantissa &* 10 &+ UInt64(f[i] &- 0x30); digits += 1 } else { overflow = true }
            sawDigit = true; i += 1
        }
        if i < n, f[i] == 0x2C, sawDigit { return parseGrouped(f, decimals: &decimals) }
        if i < n, f[i] == 0x2E {
            i += 1
            while i < n, f[i] &- 0x30 < 10 {
                if mantissa < 1_000_000_000_000_000_000 { mantissa = mantissa &* 10 &+ UInt64(f[i] &- 0x30); fracDigits += 1 } else { overflow = true; fracDigits += 0 }
                sawDigit = true; i += 1
            }
            decimals = fracDigits
        } else {
            decimals = 0
        }
        guard sawDigit else { return nil }
        if i == n && !overflow && fracDigits <= 22 && mantissa < (1 << 53) {
            let v = Double(mantissa) / exactPower(fracDigits)
            return negative ? -v : v
        }
        // Exponent or long forms: validate the rest, then use strtod on a copy.
        if i < n, f[i] | 0x20 == 0x65 {
            i += 1
            if i < n, f[i] == 0x2D || f[i] == 0x2B { i += 1 }
            var expDigits = 0
            while i < n, f[i] &- 0x30 < 10 { i += 1; expDigits += 1 }
            guard expDigits > 0 else { return nil }
            decimals = -1
        }
        guard i == n else { return nil }
        var tmp = [CChar](repeating: 0, count: n + 1)
        for k in 0..<n { tmp[k] = CChar(bitPattern: f[k]) }
        let v = strtod(tmp, nil)
        return abs(v) <= largestNumber ? v : nil
    }

    /// A field as an error message may show it: quoted as it is when it cannot identify anyone (at most
    /// 12 characters, no run of 4 or more digits, no `@`, at most one word), else only its shape — each
    /// letter as `A` or `a`, each digit as `9`, other characters kept — so `T7734921` in a numeric column
    /// is reported as "a value shaped 'A9999999'" and a name as "a value shaped 'Aaaa Aaa'". The user
    /// still sees what is wrong with the cell; the log does not carry a patient number or name.
    public static func quoted(_ f: UnsafeBufferPointer<UInt8>) -> String {
        var digitRun = 0, longestRun = 0, words = 1
        for b in f {
            if b &- 0x30 < 10 { digitRun += 1; longestRun = max(longestRun, digitRun) } else { digitRun = 0 }
            if b == 0x20 { words += 1 }
        }
        let text = String(decoding: f, as: UTF8.self)
        if text.count <= 12 && longestRun < 4 && !f.contains(0x40) && words == 1 { return "'\(text)'" }
        let shape = text.unicodeScalars.prefix(40).map { c -> String in
            if CharacterSet.decimalDigits.contains(c) { return "9" }
            if CharacterSet.uppercaseLetters.contains(c) { return "A" }
            if CharacterSet.letters.contains(c) { return "a" }
            return String(c)
        }.joined()
        return "a value shaped '\(shape)\(text.unicodeScalars.count > 40 ? "…" : "")'"
    }

    /// Boolean spellings: true/false, yes/no, t/f, y/n (any case). Returns nil for anything else.
    public static func parseBoolean(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "true", "yes", "t", "y": return true
        case "false", "no", "f", "n": return false
        default: return nil
        }
    }
}
