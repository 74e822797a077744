import MergeDAConvCommands

MergeDAConvCommand.main()
