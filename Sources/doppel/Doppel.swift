import ArgumentParser
import Doppel
import Foundation

@main
struct DoppelCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doppel",
        abstract: "Synthetic medical data: learn a real table, generate faithful rows tied to no patient.",
        discussion: """
        Exit codes: 0 success; 3 the release gate failed; 64 bad command-line usage; 65 bad input data \
        (malformed CSV, schema mismatch, impossible condition, corrupt model); 66 an input file is missing; \
        73 an output cannot be written; 70 internal error.
        """,
        version: DoppelVersion.current,
        subcommands: [Demo.self, Inspect.self, Split.self, Fit.self, Sample.self, Evaluate.self, CollapseCommand.self,
                      Scan.self, Keygen.self, Deid.self, Partial.self, Rebalance.self, Mix.self]
    )
}

/// Runs a command body, turning Doppel errors into one clear line on stderr and a documented exit code.
func guarded(_ body: () throws -> Void) throws {
    do { try body() } catch let e as DoppelError {
        FileHandle.standardError.write(Data("doppel: error: \(e.description)\n".utf8))
        throw ExitCode(e.exitCode)
    } catch let e as ExitCode {
        throw e
    } catch let e as ValidationError {
        throw e
    } catch {
        FileHandle.standardError.write(Data("doppel: internal error: \(error)\n".utf8))
        throw ExitCode(70)
    }
}

func info(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
func warn(_ s: String) { FileHandle.standardError.write(Data(("warning: " + s + "\n").utf8)) }

/// Options that set column roles in a schema.
struct RoleOptions: ParsableArguments {
    @Option(help: "Column to predict (sets the role 'target'): utility tests predict it; when fitting, cart synthesizes it last and ctgan conditions on it (a categorical target).")
    var target: String?
    @Option(help: "Comma-separated sensitive columns (role 'sensitive'), e.g. race,sex.")
    var sensitive: String?
    @Option(name: .customLong("quasi-identifiers"), help: "Comma-separated quasi-identifiers (role 'quasi-identifier'), e.g. age,sex,zip.")
    var quasiIdentifiers: String?

    func apply(to schema: inout Schema) throws {
        func set(_ names: [String], _ role: ColumnRole) throws {
            for name in names {
                guard let i = schema.index(of: name) else {
                    throw DoppelError.usage(message: "--\(role.rawValue == "target" ? "target" : role.rawValue == "sensitive" ? "sensitive" : "quasi-identifiers"): no column '\(name)' (columns: \(schema.columns.map(\.name).joined(separator: ", ")))")
                }
                let kind = schema.columns[i].kind
                if kind == .identifier || kind == .text {
                    // Not modelled: synthetic rows carry fresh values (or none), so nothing can be measured on it.
                    throw DoppelError.usage(message: "--\(role == .target ? "target" : role == .sensitive ? "sensitive" : "quasi-identifiers"): '\(name)' is \(kind.withArticle) column, which is not modelled (synthetic rows carry fresh values); choose a categorical, numeric or date column")
                }
                if !schema.columns[i].roles.contains(role) { schema.columns[i].roles.append(role) }
            }
        }
        if let t = target { try set([t], .target) }
        if let s = sensitive { try set(s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }, .sensitive) }
        if let q = quasiIdentifiers { try set(q.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }, .quasiIdentifier) }
    }
}
