import Foundation
@testable import DoppelData

func parse(_ text: String, path: String = "test.csv") throws -> CSVDocument {
    try CSVDocument(bytes: Array(text.utf8), path: path)
}

/// One scratch folder per test process, removed when the process exits.
private let scratchPath = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-tests-\(UUID().uuidString)")
private let scratch: URL = {
    try? FileManager.default.createDirectory(at: scratchPath, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: scratchPath) }
    return scratchPath
}()

func temporaryFile(_ contents: String, name: String = "t.csv") throws -> String {
    let dir = scratch.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// ../shared/data relative to the package root, when present (CI has it; a fresh clone may not).
func sharedData(_ name: String) -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let path = root.deletingLastPathComponent().appendingPathComponent("shared/data/\(name)").path
    return FileManager.default.fileExists(atPath: path) ? path : nil
}

/// The embedded demo dataset inside the repository (always present).
func embeddedHeart() -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Doppel/Resources/heart_disease_uci.csv").path
}
