"""Comparison: diff two DBOMs and render the result (text, Markdown, JSON)."""
