"""A dataset's license, decided from its card and its license files.

Priority: the card's license when the card states a definite one (an SPDX expression or a named
`LicenseRef-…`); otherwise the license its license files are recognised as; otherwise NOASSERTION (with
the card's raw name kept when the card named an unversioned family such as `bsd` or `cc`).

When both speak and disagree, the card is kept and the disagreement is returned in
`LicenseResolution.conflicts`, one printable line each, for the caller to show as warnings. License
files that disagree among themselves give no license and a conflict line too.

Several licenses in a card (`license: [cc-by-4.0, odbl]`) are joined with " AND ": on the Hub a list
means the data is under all of them together (parts of the dataset under each, or terms that all apply),
not a choice offered to the user, which " OR " would claim.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from dbom.licensing.names import is_data_license_name
from dbom.model import NOASSERTION, License

if TYPE_CHECKING:  # the readers load when there is a card or a license file to read
    from dbom.licensing.cards import Card

SOURCE_CARD = "card"
SOURCE_FILE = "license-file"


@dataclass(frozen=True)
class LicenseResolution:
    """The license decided for a dataset, and the disagreements met on the way (one line each)."""

    license: License
    conflicts: tuple[str, ...] = ()
    code_license: License | None = None  # a repository's code license beside a separate data license
    evidence: tuple[License, ...] = ()  # every statement recognised: the card's and each file's


def dataset_license(card: Card | None, license_files: Sequence[Path], root: Path) -> License:
    """The dataset's license (see `resolve_license`, which also reports disagreements)."""
    return resolve_license(card, license_files, root).license


def resolve_license(card: Card | None, license_files: Sequence[Path], root: Path) -> LicenseResolution:
    """Decide the dataset's license from its card (may be None) and its license files.

    `license_files` are read (bounded) and recognised; `root` is only used to name them relative to the
    dataset in conflict messages. The result's license has source "card" or "license-file" and
    acknowledgement "declared" (both are statements by the authors); its url is the card's
    `license_link` when the card's license is kept. Raises DbomError if a license file cannot be read.
    """
    stated = card_license(card) if card is not None else License()
    from_files, code, recognised, conflicts = _files_license(license_files, root)
    evidence = ([stated] if stated.expression != NOASSERTION else []) + [
        License(expression=spdx, source=SOURCE_FILE, acknowledgement="declared", path=_rel(path, root))
        for path, spdx in recognised]
    code_license = None if code is None else License(expression=code[1], source=SOURCE_FILE,
                                                     acknowledgement="declared", path=_rel(code[0], root))
    found = stated
    if stated.expression != NOASSERTION:
        if from_files is not None and not _agrees(stated.expression, from_files[1]):
            path, spdx = from_files
            where = _rel(path, root)
            if where.startswith("../"):
                # a license file above the dataset, in its repository, beside a data card: the code's license,
                # as expected, not a disagreement
                code_license = code_license or License(expression=spdx, source=SOURCE_FILE,
                                                       acknowledgement="declared", path=where)
            else:
                conflicts.append(f"{where}: reads as {spdx}, but the card declares "
                                 f"{stated.expression}; keeping the card's license")
    elif from_files is not None:
        found = License(expression=from_files[1], source=SOURCE_FILE, acknowledgement="declared",
                        path=_rel(from_files[0], root))
    return LicenseResolution(found, tuple(conflicts), code_license, tuple(evidence))


def card_license(card: Card) -> License:
    """The license a card states (source "card"), NOASSERTION when it states none or only a family."""
    from dbom.licensing.hf_licenses import hf_license

    parts = []
    for raw in card.license:
        part = hf_license(raw, card.license_name)
        if part not in parts:
            parts.append(part)
    url = card.license_link
    if not parts:
        if card.license_name:  # `license_name` without `license: other`
            part = hf_license("other", card.license_name)
            parts.append(part)
        else:
            return License(source=SOURCE_CARD, url=url) if url else License()
    if len(parts) == 1:
        return replace(parts[0], source=SOURCE_CARD, acknowledgement="declared", url=url)
    if all(p.expression != NOASSERTION for p in parts):
        expression = " AND ".join(_grouped(p.expression) for p in parts)
        names = [p.name for p in parts if p.name]
        return License(expression=expression, name=", ".join(names) or None, source=SOURCE_CARD,
                       acknowledgement="declared", url=url)
    # Some part is not known: the whole is not asserted, but what the card wrote is kept as the name.
    return License(expression=NOASSERTION, name=" AND ".join(card.license), source=SOURCE_CARD,
                   acknowledgement="declared", url=url)


def _files_license(
    paths: Sequence[Path], root: Path
) -> tuple[tuple[Path, str] | None, tuple[Path, str] | None, list[tuple[Path, str]], list[str]]:
    """(the data's license file and id, or None; the code's, or None; every file recognised; conflict lines).

    `paths` may hold files of the dataset root and of the folders above it up to the repository's
    top: the nearest level that says something wins. When there are files that name the data
    (DATA_LICENSE*, LICENSE-DATA*), only those decide the data's license, and the nearest other
    recognised license file is the code's. Recognised files of one level that disagree give None.
    """
    conflicts: list[str] = []
    if not paths:
        return None, None, [], conflicts
    from dbom.licensing.license_files import recognise_file

    recognised = [(p, spdx) for p in sorted(paths, key=lambda p: (_level(p, root), str(p)))
                  if (spdx := recognise_file(p)) != NOASSERTION]
    has_data_files = any(is_data_license_name(p.name) for p in paths)
    for_data = [(p, s) for p, s in recognised if is_data_license_name(p.name) or not has_data_files]
    for_code = [(p, s) for p, s in recognised if has_data_files and not is_data_license_name(p.name)]
    code = for_code[0] if for_code else None
    if not for_data:
        return None, code, recognised, conflicts
    nearest = [(p, s) for p, s in for_data if _level(p, root) == _level(for_data[0][0], root)]
    if len({spdx for _, spdx in nearest}) == 1:
        return nearest[0], code, recognised, conflicts
    listing = ", ".join(f"{_rel(p, root)} reads as {spdx}" for p, spdx in nearest)
    conflicts.append(f"license files disagree ({listing}); no license taken from them")
    return None, code, recognised, conflicts


def _level(path: Path, root: Path) -> int:
    """How many folders above the dataset root `path` sits (0: in the root itself)."""
    return _rel(path, root).count("../")


_KEY = re.compile(r"[A-Za-z0-9.+-]+")


def _agrees(expression: str, spdx: str) -> bool:
    """True when the file's license is one of the licenses the card's expression names."""
    keys = {k for k in _KEY.findall(expression) if k not in ("AND", "OR", "WITH")}
    return all(k in keys for k in _KEY.findall(spdx) if k not in ("AND", "OR", "WITH"))


def _grouped(expression: str) -> str:
    return f"({expression})" if " " in expression else expression


def _rel(path: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:  # another drive on Windows
        return str(path)
