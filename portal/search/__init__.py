"""The search area."""
