"""What a file under a dataset root is, by its name alone: a card, a license, code, metadata or data."""

from __future__ import annotations

import re

CARD_NAMES = frozenset({"readme.md", "readme", "readme.txt", "dataset_card.md", "datacard.md"})
LICENSE_NAME = re.compile(
    r"^(?:licen[cs]e|copying|notice|data[_-]?licen[cs]e|licen[cs]e[_-]data)(?:[._-].*)?$", re.IGNORECASE
)
CODE_SUFFIXES = frozenset({
    ".py", ".ipynb", ".sh", ".bash", ".js", ".ts", ".rs", ".go", ".java", ".scala", ".c", ".cc", ".cpp",
    ".h", ".hpp", ".r", ".jl", ".rb", ".pl", ".sql", ".lua", ".kt", ".swift", ".m",
})
# Files `datasets.save_to_disk` and common repos put beside the data: they describe it, they are not it.
METADATA_NAMES = frozenset({
    "dataset_info.json", "state.json", "dataset_dict.json", "dataset_infos.json", ".gitattributes",
    ".gitignore", "croissant.json", "metadata.json",
})


def doc_kind(relpath: str) -> str | None:
    """The kind of a non-data file ("card", "license", "code", "metadata"), or None if it may be data."""
    name = relpath.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower in CARD_NAMES:
        return "card"
    if LICENSE_NAME.match(name) and not lower.endswith((".parquet", ".jsonl", ".csv", ".arrow")):
        return "license"
    if lower in METADATA_NAMES:
        return "metadata"
    dot = lower.rfind(".")
    if dot > 0 and lower[dot:] in CODE_SUFFIXES:
        return "code"
    return None
