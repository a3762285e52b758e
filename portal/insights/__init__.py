"""The insights area."""
