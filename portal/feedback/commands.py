"""CLI commands of the feedback area."""
