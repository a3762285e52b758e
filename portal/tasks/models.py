"""Models of the tasks area."""
