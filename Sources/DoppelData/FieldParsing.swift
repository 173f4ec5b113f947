#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level parsing of single CSV fields: missing tokens, numbers and booleans.
public enum FieldParsing {
    /// True for the missing-value tokens: empty, NA, N/A, NaN, null, NULL, ?, . (and na, nan, n/a, Null).
    @inlinable
    public static func isMissing(_ f: UnsafeBufferPointer<UInt8>) -> Bool {
        switch f.count {
        case 0: return true
        case 1: return f[0] == 0x3F || f[0] == 0x2E            // ? .
        case 2: return (f[0] | 0x20) == 0x6E && (f[1] | 0x20) == 0x61  // NA na
        case 3:
            let a = f[0] | 0x20, b = f[1], c = f[2] | 0x20
            if a == 0x6E && b == 0x2F && c == 0x61 { return true }    // N/A
            return a == 0x6E && (b | 0x20) == 0x61 && c == 0x6E       // NaN nan
        case 4:
            return (f[0] | 0x20) == 0x6E && (f[1] | 0x20) == 0x75 && (f[2] | 0x20) == 0x6C && (f[3] | 0x20) == 0x6C  // null
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

    /// Parses a decimal number (optional sign, digits, optional fraction, optional exponent).
    /// Returns nil when the field is not a number. Plain decimals with up to 19 significant digits
    /// and up to 22 fraction digits are converted exactly-rounded without calling strtod.
    /// `decimals` receives the number of digits after the point (−1 when an exponent was used).
    @inlinable
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
        return strtod(tmp, nil)
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
