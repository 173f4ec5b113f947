import Foundation

/// The embedded demo dataset: UCI Heart Disease (920 patients, 16 columns), CC BY 4.0.
/// Creators: Andras Janosi, William Steinbrunn, Matthias Pfisterer, Robert Detrano (see DATA-LICENSE.md).
public enum EmbeddedData {
    public static let heartDiseaseFileName = "heart_disease_uci.csv"

    /// Path of the embedded CSV shipped as a package resource next to the executable.
    public static func heartDiseasePath() throws -> String {
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            exe.appendingPathComponent("Doppel_Doppel.resources/\(heartDiseaseFileName)").path,
            Bundle.main.bundleURL.appendingPathComponent("Doppel_Doppel.resources/\(heartDiseaseFileName)").path,
            exe.appendingPathComponent("Doppel_Doppel.bundle/\(heartDiseaseFileName)").path,
            exe.appendingPathComponent("Doppel_Doppel.bundle/Contents/Resources/\(heartDiseaseFileName)").path,
        ]
        for c in candidates where FileManager.default.fileExists(atPath: c) { return c }
        throw DoppelError.inputMissing(path: heartDiseaseFileName,
                                       reason: "the embedded demo dataset was not found next to the doppel executable (run it with `swift run doppel demo`, or keep the Doppel_Doppel.resources folder beside the binary)")
    }
}
