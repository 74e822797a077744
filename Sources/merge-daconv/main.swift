import MergeDAConvCommands

MergeDAConvCommand.runAndExit()
