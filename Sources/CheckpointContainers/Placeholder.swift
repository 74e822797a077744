// CheckpointContainers: under construction
