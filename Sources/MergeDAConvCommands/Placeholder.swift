// MergeDAConvCommands: under construction
