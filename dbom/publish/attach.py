"""`dbom attach`: bind a DBOM to the model it describes and ship it with the model.

(It lives in `dbom.publish`, so importing it never shadows the function `dbom.attach`.)

1. Fingerprint the model folder's weight files (SHA-256) into the DBOM's model component.
2. Refuse a DBOM whose model name contradicts the folder (its card, its config.json, a DBOM already
   there) unless forced.
3. Write the DBOM into the folder and update the model card: `datasets:` front matter and a
   "Training data" section.
4. Optionally upload both to the Hub in one commit.

Everything is computed and checked before the folder is touched; both files are then written to
temporary files beside their targets and renamed into place, so an interrupted attach leaves each
file either as it was or as it should be.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from dbom.errors import DbomError
from dbom.model import Dbom, DocFile
from dbom.util.humanize import plural

DEFAULT_NAME = "dbom.cdx.json"
# A DBOM file name inside the model folder: a plain name (no folder, no traversal) ending in .json.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.json$")


@dataclass(frozen=True)
class AttachResult:
    """What `attach` did: where it wrote, what it fingerprinted and (with `push`) the Hub commit."""

    dbom_path: Path
    card_path: Path
    weights: tuple[DocFile, ...]
    weights_digest: str
    hub_datasets: tuple[str, ...]  # Hub ids of the DBOM's datasets (all listed in the card afterwards)
    added_datasets: tuple[str, ...]  # those this run added to the card's `datasets:`
    card_created: bool
    commit_url: str | None = None
    warnings: tuple[str, ...] = ()


def check_name(name: str) -> None:
    """Raise DbomError unless `name` is a plain `.json` file name (no folder, no `..`, not the card)."""
    if not _SAFE_NAME.match(name) or ".." in name:
        raise DbomError(name, "not a plain file name ending in .json (no folders, no '..'); refusing it as --name")


def attach(dbom: Dbom | Path | str, model_dir: Path | str, push: str | None = None, *, force: bool = False,
           name: str = DEFAULT_NAME, spec_version: str | None = None, token: str | None = None,
           endpoint: str | None = None, warn: Callable[[str], None] | None = None) -> AttachResult:
    """Attach a DBOM (a file or the internal model) to the model folder `model_dir`.

    Fingerprints the weight files, writes the DBOM as `model_dir/name` (validated, atomically) and
    updates `model_dir/README.md`; with `push="ORG/NAME"`, uploads both in one commit (token from
    `token`, else HF_TOKEN or the saved login; `endpoint` defaults to HF_ENDPOINT or the Hub).
    `spec_version` defaults to the DBOM file's own (1.6 for a model passed in). `force` attaches even when
    the folder names another model. Raises DbomError (one line: file and cause) on bad input; then the
    folder is left as it was.
    """
    from dbom.publish import model_card as mc
    from dbom.publish import model_folder as mf
    from dbom.publish.hub_push import check_repo_id

    warnings: list[str] = []

    def _warn(message: str) -> None:
        if message not in warnings:
            warnings.append(message)
            if warn is not None:
                warn(message)

    folder = Path(model_dir)
    check_name(name)
    if push is not None:
        check_repo_id(push)
    original, file_version = _load(dbom)
    version = spec_version or file_version or "1.6"

    card_path = folder / mc.CARD_NAME
    dbom_path = folder / name
    files = mf.weight_files(folder, _warn)
    raw_card = mc.read_card_bytes(card_path)
    card = mc.parse_card(raw_card, str(card_path)) if raw_card is not None else mc.new_card(original.model.name)

    present = _present_dbom(dbom_path)
    if not force:
        _refuse_contradictions(original, folder, card.meta or {}, dbom_path, present, _warn)

    # What the walk and the name check reported goes into the DBOM (replacing what an earlier attach recorded).
    folder_warnings = [w for w in original.warnings if not w.startswith(mf.WARNING_PREFIX)] + warnings
    attached = replace(original, model=replace(original.model, files=files),
                       warnings=tuple(dict.fromkeys(folder_warnings)))
    hub_ids = tuple(dict.fromkeys(i for i in (mc.hub_id(d) for d in attached.datasets) if i))
    card, added = mc.merge_datasets(card, hub_ids, str(card_path))
    card = mc.replace_section(card, mc.render_section(attached, name, version), str(card_path))
    card_data = mc.card_bytes(card)

    _commit(attached, version, dbom_path, card_path, card_data, raw_card)
    result = AttachResult(dbom_path=dbom_path, card_path=card_path, weights=files,
                          weights_digest=attached.model.weights_digest or "", hub_datasets=hub_ids,
                          added_datasets=added, card_created=raw_card is None, warnings=tuple(warnings))
    if push is None:
        return result
    from dbom.publish.hub_push import push_files

    description = (f"`dbom attach` bound the DBOM of {original.model.name}"
                   + (f" {original.model.version}" if original.model.version else "")
                   + f" ({plural(len(attached.datasets), 'dataset')}) to {plural(len(files), 'weight file')}"
                   f" (SHA-256 over them: {result.weights_digest}).")
    try:
        url = push_files(push, {name: dbom_path.read_bytes(), mc.CARD_NAME: card_data},
                         f"Attach the data bill of materials ({name}) and update the model card",
                         description, token=token, endpoint=endpoint, warn=_warn)
    except DbomError as exc:
        raise DbomError(exc.path, f"{exc.cause} (the DBOM and the card were written to {folder} but not "
                                  "uploaded)") from None
    return replace(result, commit_url=url, warnings=tuple(warnings))


def _load(dbom: Dbom | Path | str) -> tuple[Dbom, str | None]:
    """The internal model and the CycloneDX version of the file it came from (None for a model)."""
    if isinstance(dbom, Dbom):
        return dbom, None
    from dbom.cyclonedx.document import NotCycloneDX
    from dbom.cyclonedx.reader import read_dbom
    from dbom.cyclonedx.stream import declared_spec_version
    from dbom.cyclonedx.writer import SPEC_VERSIONS
    from dbom.errors import DbomFileError
    from dbom.publish.model_folder import NotRegularFile, read_regular

    path = Path(dbom)
    try:
        if read_regular(path, limit=0) is None:  # refuses a FIFO or a folder before anything waits on it
            raise DbomFileError(str(path), "no such file")
    except NotRegularFile as exc:
        raise DbomFileError(str(path), f"is a {exc.kind}, not a DBOM file") from None
    except OSError as exc:
        raise DbomFileError(str(path), f"cannot read: {exc.strerror or exc}") from None
    # shards stay on disk: the new DBOM is written from them as they are read again (any number of shards)
    model = read_dbom(path, shards_on_disk=True)
    try:
        declared = declared_spec_version(path)
    except (OSError, NotCycloneDX):
        declared = None
    return model, declared if declared in SPEC_VERSIONS else None


def _refuse_contradictions(dbom: Dbom, folder: Path, card_meta: dict[str, object], dbom_path: Path,
                           present: tuple[str, str | None] | None, warn: Callable[[str], None]) -> None:
    """Raise DbomError when the folder names another model (or holds a DBOM of another model or version)."""
    from dbom.publish import model_folder as mf

    model = dbom.model
    label = f"{model.name}" + (f" {model.version}" if model.version else "")
    if present is not None:
        other_name, other_version = present
        if mf.contradiction(model.name, [mf.NameClaim(other_name, dbom_path.name)]) is not None or (
                model.version and other_version and model.version != other_version):
            other = other_name + (f" {other_version}" if other_version else "")
            raise DbomError(str(dbom_path), f"already holds the DBOM of {other}, not of {label}; "
                                            "use --force to replace it")
    claim = mf.contradiction(model.name, mf.name_claims(folder, dict(card_meta), warn))
    if claim is not None:
        hint = (f" (if {claim.name} is the base model this one was trained from, list it as base_model: in "
                "README.md)") if claim.weak else ""
        raise DbomError(str(folder), f"the DBOM describes model {model.name} but {claim.source} names "
                                     f"{claim.name}{hint}; use --force to attach it anyway")


def _present_dbom(path: Path) -> tuple[str, str | None] | None:
    """(model name, version) of the DBOM already at `path`; None when there is none.

    Raises DbomError when `path` holds something else: that is never overwritten, even with --force.
    """
    if not path.exists() and not path.is_symlink():
        return None
    try:
        if path.is_symlink() or not path.is_file():
            raise ValueError("not a regular file")
        with path.open("rb") as fh:
            doc = json.load(fh)
        component = doc["metadata"]["component"]
        if doc.get("bomFormat") != "CycloneDX" or component.get("type") != "machine-learning-model":
            raise ValueError("not a DBOM")
        name, version = component["name"], component.get("version")
        if not isinstance(name, str) or not (version is None or isinstance(version, str)):
            raise ValueError("not a DBOM")
        return name, version
    except (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise DbomError(str(path), "exists and is not a DBOM; not overwritten (choose another --name)") from None


def _commit(dbom: Dbom, spec_version: str, dbom_path: Path, card_path: Path, card_data: bytes,
            old_card: bytes | None) -> None:
    """Write the DBOM and the card to temporary files, then rename both into place.

    An OSError (a read-only folder, a full disk) is a DbomError naming the file; no temporary file is left.
    """
    from dbom.cyclonedx.api import write
    from dbom.util.atomic import temporary_beside, write_error

    with temporary_beside(dbom_path, ".attach.tmp") as dbom_tmp, temporary_beside(card_path, ".attach.tmp") as card_tmp:
        try:
            write(dbom, dbom_tmp, spec_version)  # validated; itself atomic
        except DbomError as exc:  # named for the file the user asked for, not the temporary one
            raise DbomError(str(dbom_path), exc.cause) if exc.path == str(dbom_tmp) else exc from None
        if card_data != old_card:
            _fill(card_tmp, card_data, card_path)
        try:
            os.replace(dbom_tmp, dbom_path)
            if card_data != old_card:
                os.replace(card_tmp, card_path)
        except OSError as exc:
            raise write_error(dbom_path if dbom_tmp.exists() else card_path, exc) from None


def _fill(tmp: Path, data: bytes, like: Path) -> None:
    """Write `data` to the temporary file `tmp`, with `like`'s permissions (0644 under umask if new)."""
    from dbom.util.atomic import write_error

    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = like.stat().st_mode & 0o777
        except FileNotFoundError:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o644 & ~mask
        os.chmod(tmp, mode)
    except OSError as exc:
        raise write_error(like, exc) from None
