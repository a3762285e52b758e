"""CLI commands of the search area."""
