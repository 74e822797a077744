// TorchCheckpoint: under construction
