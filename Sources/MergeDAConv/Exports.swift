// `import MergeDAConv` is all a program needs to read, merge, verify and inspect checkpoints: every module of
// the library product comes with it.
@_exported import CheckpointContainers
@_exported import CheckpointInspection
@_exported import ConvEngine
@_exported import DAConvMerge
@_exported import DAConvVerify
@_exported import PickleMachine
@_exported import TorchCheckpoint
