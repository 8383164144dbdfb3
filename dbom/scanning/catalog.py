"""What a file under a dataset root is, by its name alone: a card, a license, code, metadata or data."""

from __future__ import annotations

from dbom.licensing.names import CARD_FILE_NAMES, DATA_FILE_SUFFIXES, is_license_file_name

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
    if relpath.lower().endswith(DATA_FILE_SUFFIXES):  # the common case, at once: no name below ends so (see
        return None  # is_license_file_name), and a suffix holds no "/": the path's end is the name's
    name = relpath.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower in CARD_FILE_NAMES:
        return "card"
    if is_license_file_name(name) or lower in ("notice", "notice.txt", "notice.md"):
        return "license"
    if lower in METADATA_NAMES:
        return "metadata"
    dot = lower.rfind(".")
    if dot > 0 and lower[dot:] in CODE_SUFFIXES:
        return "code"
    return None
