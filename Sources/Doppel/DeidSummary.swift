import Foundation

/// Terminal tables for `doppel scan` and `doppel deid`.
public enum ScanSummary {
    public static func render(_ r: ScanReport) -> String {
        var rows: [[String]] = [["column", "Safe Harbor", "kind", "confidence", "matching", "evidence"]]
        for c in r.columns {
            if c.findings.isEmpty { rows.append([c.column, "–", "", "", "", "no identifier found"]); continue }
            for (k, f) in c.findings.enumerated() {
                rows.append([k == 0 ? c.column : "", "(\(f.category.letter)) \(f.category.rawValue)", f.kind.rawValue + (f.inText ? " in text" : ""),
                             String(format: "%.2f", f.confidence), "\(f.matchingValues)/\(c.nonMissing)", f.evidence.joined(separator: "; ")])
            }
        }
        let found = Set(r.columns.flatMap { $0.findings.map(\.category) })
        return TextTable.render(rows) + "\n\n\(found.count) of 18 Safe Harbor categories present: " +
            (found.isEmpty ? "none" : found.sorted().map { "(\($0.letter)) \($0.rawValue)" }.joined(separator: ", "))
    }
}

public enum DeidSummary {
    public static func render(_ a: DeidAudit) -> String {
        var rows: [[String]] = [["column", "found", "method", "changed", "notes"]]
        for c in a.columns {
            var notes: [String] = []
            if c.overridden { notes.append("set by --method") }
            if c.redrawn > 0 { notes.append("\(c.redrawn) fakes redrawn (equalled a real value)") }
            if c.removedUnreadable > 0 { notes.append("\(c.removedUnreadable) unreadable values removed") }
            if let t = c.textReplacements, !t.isEmpty { notes.append(t.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
            rows.append([c.column, c.kind?.rawValue ?? (c.method == .text ? "free text" : "–"), c.method.rawValue,
                         c.method == .keep ? "" : "\(c.changed)/\(a.rows - c.missing)", notes.joined(separator: "; ")])
        }
        return TextTable.render(rows) + (a.notes.isEmpty ? "" : "\n\n" + a.notes.joined(separator: "\n")) + "\nKey fingerprint: \(a.keyFingerprint)"
    }
}
