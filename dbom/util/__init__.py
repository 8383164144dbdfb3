"""Small helpers every stage uses: atomic writes, URL and secret redaction, human-readable numbers, templates."""
