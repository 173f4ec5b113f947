@_exported import DoppelMath
@_exported import DoppelData
@_exported import DoppelLearn
@_exported import DoppelSynth
@_exported import DoppelEvaluate
@_exported import DoppelDeid
@_exported import DoppelPrivacy
