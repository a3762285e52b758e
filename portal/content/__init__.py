"""Pages, translations and revisions: the content domain (no Flask request objects)."""
