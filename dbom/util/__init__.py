"""Small helpers every stage uses: atomic writes, URL and secret redaction, human-readable numbers, templates,
the garbage collector paused while a DBOM is read or written."""
