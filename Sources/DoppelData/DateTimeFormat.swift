/// A date or date-time layout such as `%Y-%m-%d` or `%Y-%m-%dT%H:%M:%S%z`, parsed and printed
/// without Foundation's locale-dependent formatters. Values are seconds since 1970-01-01T00:00:00Z.
///
/// Tokens: `%Y` year (4 digits), `%m` month, `%d` day (1–2 digits when parsing, 2 when printing),
/// `%H` `%M` `%S` hour, minute, second, `%f` fractional seconds (any number of digits),
/// `%z` zone (`Z` or `±HH:MM` / `±HHMM`; printed as `Z`). Any other character must match itself.
public struct DateTimeFormat: Codable, Hashable, Sendable, CustomStringConvertible {
    public let pattern: String
    @usableFromInline let tokens: [Token]

    public enum Token: Hashable, Sendable {
        case year, month, day, hour, minute, second, fraction, zone
        case literal(UInt8)
    }

    public init?(_ pattern: String) {
        var tokens: [Token] = []
        let b = Array(pattern.utf8)
        var i = 0
        while i < b.count {
            if b[i] == 0x25, i + 1 < b.count {
                switch b[i + 1] {
                case UInt8(ascii: "Y"): tokens.append(.year)
                case UInt8(ascii: "m"): tokens.append(.month)
                case UInt8(ascii: "d"): tokens.append(.day)
                case UInt8(ascii: "H"): tokens.append(.hour)
                case UInt8(ascii: "M"): tokens.append(.minute)
                case UInt8(ascii: "S"): tokens.append(.second)
                case UInt8(ascii: "f"): tokens.append(.fraction)
                case UInt8(ascii: "z"): tokens.append(.zone)
                default: return nil
                }
                i += 2
            } else { tokens.append(.literal(b[i])); i += 1 }
        }
        self.pattern = pattern
        self.tokens = tokens
    }

    public var description: String { pattern }
    /// True when the layout has no time of day.
    public var isDateOnly: Bool { !tokens.contains(.hour) }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let f = DateTimeFormat(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown date format '\(s)'"))
        }
        self = f
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(pattern)
    }

    /// Formats to try, in order of preference, when inferring a column's layout.
    public static let candidates: [DateTimeFormat] = [
        "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
        "%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S%z",
        "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
        "%d-%m-%Y", "%m-%d-%Y", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y",
        "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M",
        "%d-%m-%Y %H:%M:%S", "%m-%d-%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
    ].compactMap { DateTimeFormat($0) }

    /// Parses a field; nil when it does not match the layout or is not a valid calendar date.
    @inlinable
    public func parse(_ f: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        let n = f.count
        var y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0
        var frac = 0.0
        var offset = 0
        @inline(__always) func digits(_ minCount: Int, _ maxCount: Int) -> Int? {
            var v = 0, c = 0
            while c < maxCount, i < n, f[i] &- 0x30 < 10 { v = v * 10 + Int(f[i] &- 0x30); i += 1; c += 1 }
            return c >= minCount ? v : nil
        }
        for t in tokens {
            switch t {
            case .year: guard let v = digits(4, 4) else { return nil }; y = v
            case .month: guard let v = digits(1, 2), v >= 1, v <= 12 else { return nil }; mo = v
            case .day: guard let v = digits(1, 2), v >= 1, v <= 31 else { return nil }; d = v
            case .hour: guard let v = digits(1, 2), v <= 23 else { return nil }; h = v
            case .minute: guard let v = digits(2, 2), v <= 59 else { return nil }; mi = v
            case .second: guard let v = digits(2, 2), v <= 60 else { return nil }; s = v
            case .fraction:
                var scale = 0.1, c = 0
                while i < n, f[i] &- 0x30 < 10 { frac += Double(f[i] &- 0x30) * scale; scale *= 0.1; i += 1; c += 1 }
                if c == 0 { return nil }
            case .zone:
                guard i < n else { return nil }
                if f[i] == UInt8(ascii: "Z") { i += 1 }
                else if f[i] == 0x2B || f[i] == 0x2D {
                    let sign = f[i] == 0x2D ? -1 : 1
                    i += 1
                    guard let hh = digits(2, 2) else { return nil }
                    if i < n, f[i] == 0x3A { i += 1 }
                    guard let mm = digits(2, 2) else { return nil }
                    offset = sign * (hh * 3600 + mm * 60)
                } else { return nil }
            case .literal(let c):
                guard i < n, f[i] == c else { return nil }
                i += 1
            }
        }
        guard i == n else { return nil }
        guard d <= CivilDate.daysInMonth(year: y, month: mo) else { return nil }
        let days = CivilDate.daysFromCivil(year: y, month: mo, day: d)
        return Double(days * 86400 + h * 3600 + mi * 60 + s - offset) + frac
    }

    /// Appends the formatted value (seconds since the epoch, UTC) to `out`.
    public func format(_ seconds: Double, into out: inout [UInt8]) {
        let whole = (seconds).rounded(.down)
        var frac = seconds - whole
        let total = Int(whole)
        var days = total / 86400
        var rem = total % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let (y, mo, d) = CivilDate.civilFromDays(days)
        @inline(__always) func put(_ v: Int, _ width: Int) {
            var tmp: [UInt8] = []
            var x = abs(v)
            repeat { tmp.append(UInt8(0x30 + x % 10)); x /= 10 } while x > 0
            while tmp.count < width { tmp.append(0x30) }
            if v < 0 { out.append(0x2D) }
            out.append(contentsOf: tmp.reversed())
        }
        for t in tokens {
            switch t {
            case .year: put(y, 4)
            case .month: put(mo, 2)
            case .day: put(d, 2)
            case .hour: put(rem / 3600, 2)
            case .minute: put((rem % 3600) / 60, 2)
            case .second: put(rem % 60, 2)
            case .fraction:
                var digits = 0
                repeat { frac *= 10; let dgt = min(9, Int(frac)); out.append(UInt8(0x30 + dgt)); frac -= Double(dgt); digits += 1 } while digits < 3
            case .zone: out.append(UInt8(ascii: "Z"))
            case .literal(let c): out.append(c)
            }
        }
    }

    public func format(_ seconds: Double) -> String {
        var out: [UInt8] = []
        format(seconds, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension DateTimeFormat: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = DateTimeFormat(value)! }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's days-from-civil algorithms).
public enum CivilDate {
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
