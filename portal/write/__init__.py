"""The write area."""
