"""Models of the write area."""
