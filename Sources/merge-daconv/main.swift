import MergeDAConvCommands

ProcessMemoryTuning.apply()
MergeDAConvCommand.runAndExit()
