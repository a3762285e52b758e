"""The tasks area."""
