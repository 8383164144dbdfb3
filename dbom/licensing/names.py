"""What cards and license files are called: the name tests that dbom.scanning.catalog applies to every file.

Kept apart from the readers (dbom.licensing.cards, dbom.licensing.license_files) so that naming a
file imports neither of them.
"""

from __future__ import annotations

import re

# in order of preference, compared case-insensitively (the names dbom.scanning.catalog calls cards)
CARD_FILE_NAMES = ("readme.md", "dataset_card.md", "datacard.md", "readme", "readme.txt")

LICENSE_FILE_NAME = re.compile(
    r"^(?:licen[cs]e|copying|data[_-]?licen[cs]e|licen[cs]e[_-]data)(?:[._-].*)?$", re.IGNORECASE
)
DATA_LICENSE_FILE_NAME = re.compile(
    r"^(?:data[_-]?licen[cs]e|licen[cs]e[_-]data)(?:[._-].*)?$", re.IGNORECASE
)
DATA_FILE_SUFFIXES = (".parquet", ".jsonl", ".csv", ".arrow")  # never a license file, whatever its name


def is_license_file_name(name: str) -> bool:
    """True for LICENSE, LICENSE.*, LICENCE*, COPYING*, DATA_LICENSE*, LICENSE-DATA* (any case)."""
    return bool(LICENSE_FILE_NAME.match(name)) and not name.lower().endswith(DATA_FILE_SUFFIXES)


def is_data_license_name(name: str) -> bool:
    """True for a license file that says it is about the data (DATA_LICENSE*, LICENSE-DATA*)."""
    return bool(DATA_LICENSE_FILE_NAME.match(name))
