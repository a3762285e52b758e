"""The comments area."""
