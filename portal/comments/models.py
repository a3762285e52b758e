"""Models of the comments area."""
