import ArgumentParser
import Doppel
import Foundation

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find direct identifiers: which columns hold which of the 18 HIPAA Safe Harbor categories.",
        discussion: """
        Each column is judged from its name and from every value (formats, check digits, name lists, \
        uniqueness); columns of free text are searched inside the text. The table shows the category \
        (Safe Harbor item letter), the kind, a confidence, how many values match and why. Values are never \
        printed. Exit code 0 whether or not identifiers are found.
        """)

    @Argument(help: "The CSV file to scan.")
    var file: String
    @Option(name: [.customShort("o"), .long], help: "Also write the scan as JSON to this path (- for standard output; the table then goes to stderr).")
    var output: String?

    func run() throws {
        try guarded {
            if let out = output { try OutputPaths.check(outputs: [("-o", out)], inputs: [file]) }
            let report = try IdentifierScan.scan(try CSVDocument(path: file))
            let summary = "\(file): \(counted(report.rows, "row")) × \(counted(report.columns.count, "column"))\n\n" + ScanSummary.render(report)
            if output == "-" {
                info(summary)
                FileHandle.standardOutput.write(try report.jsonData() + Data("\n".utf8))
                return
            }
            print(summary)
            if let out = output {
                try report.jsonData().writeAtomically(toPath: out)
                print("\nScan written to \(out)")
            }
        }
    }
}

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a random secret key file for `doppel deid` (64 hex characters, readable only by you).",
        discussion: "Keep the key secret and keep it: the same key gives the same pseudonyms and date shifts in every run.")

    @Option(name: [.customShort("o"), .long], help: "Path of the key file to create (refuses to overwrite).")
    var output: String

    func run() throws {
        try guarded {
            guard !FileManager.default.fileExists(atPath: output) else {
                throw DoppelError.output(path: output, reason: "the file exists; a key is never overwritten (delete it first if you mean to)")
            }
            guard FileManager.default.createFile(atPath: output, contents: Data((DeidKey.generateHex() + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw DoppelError.output(path: output, reason: "cannot create the file")
            }
            info("Wrote a new 256-bit key to \(output) (mode 600). Keep it secret; keep a copy.")
        }
    }
}

struct Deid: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "De-identify a CSV by HIPAA Safe Harbor: every identifier column transformed, all other columns kept.",
        discussion: """
        Columns are found as by `doppel scan`. Default per kind: names, phones, faxes, emails, SSNs, record, \
        plan, account, licence, vehicle and device numbers, URLs, IPs and street addresses → keyed fake values \
        (never equal to a real value of the input; reserved ranges where they exist); dates and day counts → \
        shifted by a per-person offset (or --dates year); ZIP codes → 3 digits (restricted areas 000); ages \
        over 89 → 90 (meaning 90 or older; age-90plus writes 90+); cities, biometrics and photo references → \
        removed; free text → identifiers replaced in \
        place. Override any column with --method column=METHOD (keep, suppress, pseudonym, shift, year, zip3, \
        age-90plus, age-topcode, text). The audit file records what was done per column, never a value, and \
        never the key.
        """)

    @Argument(help: "The CSV file to de-identify.")
    var file: String
    @Option(name: .customLong("key-file"), help: "Secret key file (create one with `doppel keygen -o site.key`).")
    var keyFile: String
    @Option(name: [.customShort("o"), .long], help: "Output CSV path, or - for standard output (the summary then goes to stderr). Never an input.")
    var output: String
    @Option(help: "Audit JSON path (what was done to each column).")
    var audit: String?
    @Option(help: "Dates: 'shift' (per-person offset, intervals kept) or 'year' (keep the year only).")
    var dates: String = "shift"
    @Option(name: .customLong("shift-days"), parsing: .unconditional, help: "Largest date shift in days; shifts are drawn from ±[1, N].")
    var shiftDays: Int = 365
    @Option(name: .customLong("patient-column"), help: "Column identifying a person, so all of a person's dates move together (default: the record number the scan finds).")
    var patientColumn: String?
    @Option(name: .customLong("method"), parsing: .singleValue, help: "Override a column's method, e.g. --method notes=text --method zip=suppress (repeatable).")
    var methods: [String] = []

    func run() throws {
        try guarded {
            var options = DeidOptions()
            guard let d = DeidOptions.Dates(rawValue: dates) else { throw DoppelError.usage(message: "--dates must be 'shift' or 'year' (got '\(dates)')") }
            options.dates = d
            options.shiftRangeDays = shiftDays
            options.patientColumn = patientColumn
            for m in methods {
                let parts = m.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty else { throw DoppelError.usage(message: "--method must look like column=method (got '\(m)')") }
                guard let method = DeidMethod(rawValue: parts[1]) else {
                    throw DoppelError.usage(message: "--method \(parts[0])=\(parts[1]): unknown method; choose one of: \(DeidMethod.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                options.overrides[parts[0]] = method
            }
            try OutputPaths.check(outputs: [("-o", output)] + (audit.map { [("--audit", $0)] } ?? []), inputs: [file, keyFile])
            let key = try DeidKey(file: keyFile)
            let started = Date()
            let report = try Deidentifier.run(input: file, output: output, key: key, options: options)
            let secs = Date().timeIntervalSince(started)
            if let a = audit {
                do { try report.jsonData().writeAtomically(toPath: a) } catch {
                    if output != "-" { try? FileManager.default.removeItem(atPath: output) }   // no data without its audit
                    throw error
                }
            }
            // The summary goes to stderr when the data goes to stdout.
            if output == "-" { info(DeidSummary.render(report)) } else { print(DeidSummary.render(report)) }
            info("Wrote \(counted(report.rows, "row")) to \(output)\(audit.map { " and the audit to \($0)" } ?? "") in \(String(format: "%.2f", secs)) s (\(Int(Double(report.rows) / max(secs, 1e-9))) rows/s)")
        }
    }
}
