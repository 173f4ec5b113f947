// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Doppel",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Doppel", targets: ["Doppel"]),
        .executable(name: "doppel", targets: ["doppel"]),
        .executable(name: "doppel-bench", targets: ["doppel-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .target(name: "DoppelKernels"),
        .target(name: "DoppelMath", dependencies: ["DoppelKernels"]),
        .target(name: "DoppelData", dependencies: ["DoppelMath", "DoppelKernels"]),
        .target(name: "DoppelLearn", dependencies: ["DoppelMath", "DoppelData", "DoppelKernels"]),
        .target(name: "DoppelPrivacy", dependencies: ["DoppelMath"]),
        .target(name: "DoppelNeural", dependencies: ["DoppelMath", "DoppelKernels"]),
        .target(name: "DoppelSynth", dependencies: [
            "DoppelMath", "DoppelData", "DoppelPrivacy", "DoppelNeural",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "DoppelDeid", dependencies: [
            "DoppelMath", "DoppelData",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "DoppelEvaluate", dependencies: ["DoppelMath", "DoppelData", "DoppelLearn", "DoppelSynth", "DoppelKernels"]),
        .target(name: "Doppel", dependencies: ["DoppelMath", "DoppelData", "DoppelLearn", "DoppelSynth", "DoppelEvaluate", "DoppelDeid", "DoppelPrivacy"],
                resources: [.copy("Resources/heart_disease_uci.csv")]),
        .executableTarget(name: "doppel", dependencies: [
            "Doppel", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "doppel-bench", dependencies: [
            "Doppel", "DoppelNeural", "DoppelKernels", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "DoppelMathTests", dependencies: ["DoppelMath"]),
        .testTarget(name: "DoppelDataTests", dependencies: ["DoppelData"]),
        .testTarget(name: "DoppelLearnTests", dependencies: ["DoppelLearn", "DoppelData", "DoppelKernels"]),
        .testTarget(name: "DoppelSynthTests", dependencies: ["DoppelSynth", "DoppelData", "DoppelPrivacy"]),
        .testTarget(name: "DoppelPrivacyTests", dependencies: ["DoppelPrivacy", "DoppelMath"]),
        .testTarget(name: "DoppelNeuralTests", dependencies: ["DoppelNeural", "DoppelMath", "DoppelKernels"]),
        .testTarget(name: "DoppelEvaluateTests", dependencies: ["DoppelEvaluate", "DoppelSynth", "DoppelData", "DoppelKernels"]),
        .testTarget(name: "DoppelDeidTests", dependencies: ["DoppelDeid", "DoppelData"]),
        .testTarget(name: "DoppelCLITests", dependencies: ["Doppel"]),
    ]
)
