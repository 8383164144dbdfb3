"""Read a dataset's card and license files into the facts the DBOM records about the dataset."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dbom.errors import DbomError
from dbom.model import DocFile, License, VcsInfo


@dataclass(frozen=True)
class DatasetDocs:
    """What a dataset's own documents say: its license, description and homepage."""

    license: License = field(default_factory=License)
    description: str | None = None
    homepage: str | None = None
    code_license: License | None = None
    evidence: tuple[License, ...] = ()
    facts: dict[str, str] = field(default_factory=dict)  # manifest facts the card states (languages, citation...)


def dataset_metadata(root: Path, docs: Sequence[DocFile], warn: Callable[[str], None],
                     vcs: VcsInfo | None = None) -> DatasetDocs:
    """Read the card (README.md at the root) and the license files of a dataset.

    License files are those at the dataset root and, inside a git repository (`vcs`), those of
    each folder above it up to the repository's top. A card with broken front matter is
    reported through `warn` and ignored, never fatal.
    """
    from dbom.licensing.detect import resolve_license  # the readers below load only when needed

    card = None
    card_doc = next((d for d in docs if d.kind == "card" and "/" not in d.path), None)
    if card_doc is not None:
        from dbom.licensing.cards import read_card

        try:
            card = read_card(root / card_doc.path)
        except DbomError as exc:
            warn(f"{root.name}/{card_doc.path}: {exc.cause}")
    license_files = [root / d.path for d in docs if d.kind == "license" and "/" not in d.path]
    if not root.is_dir():
        license_files = []
    elif vcs is not None and vcs.path:
        from dbom.licensing.license_files import find_license_files

        folder = root
        for _ in vcs.path.split("/"):
            folder = folder.parent
            license_files += find_license_files(folder)
    result = resolve_license(card, license_files, root)
    for note in result.conflicts:
        warn(f"{root.name}: {note}")
    return DatasetDocs(
        license=result.license,
        description=card.description if card else None,
        homepage=card.homepage if card else None,
        code_license=result.code_license,
        evidence=result.evidence,
        facts=card.facts() if card else {},
    )
