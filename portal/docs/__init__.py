"""The reader-facing docs: home, pages, language switching."""
