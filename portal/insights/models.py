"""Models of the insights area."""
