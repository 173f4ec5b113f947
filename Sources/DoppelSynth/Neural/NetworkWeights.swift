import DoppelNeural
import DoppelMath
import DoppelData

/// Named parameter values of a network, as stored in a model file.
public struct NetworkWeights: Codable, Sendable, Equatable {
    public var names: [String]
    public var values: [DoppelNeural.Matrix]

    public init(_ parameters: [Parameter]) {
        names = parameters.map(\.name)
        values = parameters.map(\.value)
    }

    /// Copies the stored values into `parameters` (same names, same shapes), or throws.
    public func load(into parameters: [Parameter]) throws {
        guard parameters.map(\.name) == names else { throw DoppelError.badModel(path: "model file", message: "network layout differs from the stored weights") }
        for (p, v) in zip(parameters, values) {
            guard p.value.rows == v.rows && p.value.cols == v.cols else { throw DoppelError.badModel(path: "model file", message: "weights '\(p.name)' have the wrong shape") }
            p.value = v
        }
    }
}

/// A multilayer perceptron: Linear → ReLU for each hidden width, then a final Linear.
func multilayerPerceptron(_ inputs: Int, hidden: [Int], outputs: Int, name: String, rng: inout SeededGenerator) -> Sequential {
    var layers: [Layer] = []
    var width = inputs
    for (k, h) in hidden.enumerated() {
        layers.append(Linear(width, h, rng: &rng, name: "\(name).\(k)"))
        layers.append(ReLU())
        width = h
    }
    layers.append(Linear(width, outputs, rng: &rng, name: "\(name).out"))
    return Sequential(layers)
}

/// The neural tensor type (DoppelMath has its own `Matrix` of doubles for the copula).
public typealias Tensor = DoppelNeural.Matrix
