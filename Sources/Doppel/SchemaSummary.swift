import Foundation

/// A terminal table describing a schema.
public enum SchemaSummary {
    public static func render(_ schema: Schema) -> String {
        var rows: [[String]] = [["column", "kind", "details", "missing", "roles"]]
        for c in schema.columns {
            var detail = ""
            switch c.kind {
            case .numeric:
                detail = (c.integer == true ? "integer" : "decimal(\(c.decimals.map(String.init) ?? "full"))")
                if let lo = c.min, let hi = c.max { detail += " \(fmt(lo))…\(fmt(hi))" }
            case .categorical:
                let cats = c.categories ?? []
                detail = cats.isEmpty ? "no levels (every value missing)"
                    : (c.boolean == true ? "boolean: " : "\(counted(cats.count, "level")): ") + cats.prefix(4).joined(separator: ", ") + (cats.count > 4 ? ", …" : "")
            case .datetime:
                detail = c.format?.pattern ?? ""
                if let f = c.format, let lo = c.min, let hi = c.max { detail += " \(f.format(lo))…\(f.format(hi))" }
            case .identifier: detail = c.identifierType ?? ""
            case .text: detail = "free text"
            }
            if detail.count > 48 { detail = String(detail.prefix(47)) + "…" }
            rows.append([c.name, c.kind.rawValue, detail, c.missingRate.map { $0 > 0 && $0 < 0.0005 ? "<0.1%" : String(format: "%.1f%%", $0 * 100) } ?? "", c.roles.map(\.rawValue).joined(separator: ",")])
        }
        return TextTable.render(rows)
    }

    static func fmt(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return abs(v) >= 1000 && abs(v) < 1e15 ? String(format: "%.1f", v) : String(format: "%.4g", v)
    }
}

/// Plain aligned text tables for the terminal.
public enum TextTable {
    public static func render(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: first.count)
        for r in rows { for (k, cell) in r.enumerated() where k < widths.count { widths[k] = max(widths[k], cell.count) } }
        var lines: [String] = []
        for (i, r) in rows.enumerated() {
            lines.append(r.enumerated().map { k, cell in cell.padding(toLength: widths[k], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            if i == 0 { lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")) }
        }
        return lines.joined(separator: "\n")
    }
}
