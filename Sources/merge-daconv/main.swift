import MergeDAConvCommands

ProcessMemoryTuning.apply()
TerminationSignals.install()
MergeDAConvCommand.runAndExit()
