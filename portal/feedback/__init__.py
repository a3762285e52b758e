"""The feedback area."""
