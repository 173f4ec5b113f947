import DoppelData
import DoppelDeid

extension Pipeline {
    /// Direct identifiers the value scan may turn a column into an identifier for: kinds that point at one
    /// person. Dates, ages, ZIP codes and cities are quasi-identifiers: they stay modelled (the `deid`
    /// command generalises them).
    static let directIdentifierKinds: Set<PHIKind> = [.personName, .email, .phone, .fax, .ssn, .medicalRecord, .healthPlan,
                                                       .account, .license, .vehicle, .device, .url, .ip, .otherID]

    /// The schema every command infers from a CSV: ``SchemaInference`` from the column names and value
    /// kinds, then the Safe Harbor value scan (``IdentifierScan``) over its categorical and text columns. A
    /// column whose values the scan finds to be person names, e-mail addresses, phone numbers or another
    /// direct identifier, with confidence at least 0.9, becomes an identifier — never modelled, regenerated
    /// as fresh values — whatever its name (`patient` holding names over repeated visits would otherwise
    /// be categories and copied into synthetic rows). The note says why. The scan reads at most about
    /// 20,000 evenly spaced rows, so it costs the same on a million-row table.
    public static func inferSchema(_ doc: CSVDocument) -> Schema {
        var schema = SchemaInference.infer(doc)
        let candidates = doc.header.indices.filter { j in
            guard let spec = schema[doc.header[j]] else { return false }
            // (numbers are identifiers by their column's name, which inference has looked at)
            return spec.kind == .categorical && spec.boolean != true && (spec.categories?.count ?? 0) > 2 || spec.kind == .text
                || spec.kind == .identifier && spec.identifierType == "record number" && spec.integer == nil   // named so; what is it?
        }
        guard !candidates.isEmpty, let report = try? IdentifierScan.scan(doc, schema: schema, columns: candidates, sampleRows: 20_000) else { return schema }
        for scan in report.columns {
            guard let finding = scan.primary, directIdentifierKinds.contains(finding.kind), finding.confidence >= 0.9,
                  let k = schema.index(of: scan.column) else { continue }
            var spec = schema.columns[k]
            if spec.kind == .identifier {
                // already an identifier by its name: the values say which kind (a `patient` column of names)
                spec.identifierType = finding.kind.rawValue
                schema.columns[k] = spec
                continue
            }
            spec.kind = .identifier
            spec.identifierType = finding.kind.rawValue
            spec.categories = nil; spec.distinct = nil; spec.integer = nil; spec.decimals = nil; spec.writtenDecimals = nil
            spec.min = nil; spec.max = nil
            spec.note = "values look like \(finding.kind.rawValue) (\(finding.evidence.first ?? "scan")): an identifier, never modelled"
            schema.columns[k] = spec
        }
        return schema
    }
}
