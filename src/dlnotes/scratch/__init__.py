"""Teaching implementations, written to be read, each tested against PyTorch's own."""
