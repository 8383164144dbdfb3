"""The public entry points for CycloneDX files: write (atomically, validated), load, validate."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dbom.cyclonedx.writer import SPEC_VERSIONS, write_dbom
from dbom.errors import DbomError
from dbom.model import Dbom
from dbom.util.atomic import replacing
from dbom.util.collector import collector_paused


def write(dbom: Dbom, output: Path | str, spec_version: str = "1.6", validate: bool = True,
          memo_dir: Path | None = None) -> str:
    """Write `dbom` to `output` as CycloneDX JSON and return its serial number.

    The document goes to a temporary file beside `output`, is validated (official schema
    and integrity rules) as it is written, and only then renamed into place, so `output` is
    never half-written and never replaced by an invalid document. Raises DbomError if
    validation fails. With `memo_dir` (the scan cache's directory), the component lines found
    valid are remembered there for the next write to the same path (validation_memo).
    """
    output = Path(output)
    if spec_version not in SPEC_VERSIONS:
        raise DbomError(None, f"unsupported --spec-version {spec_version!r} (use {' or '.join(SPEC_VERSIONS)})")
    checker = memo = None
    if validate:
        from dbom.cyclonedx.validate import StreamingValidator

        if memo_dir is not None:
            from dbom.cyclonedx.validation_memo import ValidationMemo

            memo = ValidationMemo(memo_dir, output, spec_version)
        checker = StreamingValidator(spec_version, memo.load() if memo else None)
    kept: list[Any] = []  # recorders of datasets' file components (dbom.scanning.snapshot_lines)
    try:
        with replacing(output, binary=True) as (fh, temp), collector_paused():
            serial = write_dbom(dbom, fh, spec_version, checker, memo.validator if memo else None, kept)
            fh.flush()
            with _synced(fh.fileno()):  # the disk waited for while the kept lines are written (a second at 10^6)
                if checker is not None:
                    problems = checker.problems
                    if memo is not None:
                        memo.store(checker.valid_lines())  # [] after problems: nothing is trusted next time
                    if problems:
                        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                        raise DbomError(str(output), f"the DBOM did not validate, not written: {problems[0]}{more}")
                for recorder in kept:  # lines are kept only from a document that validated (linked, or copied)
                    recorder.commit(temp)
    except BaseException:
        for recorder in kept:
            recorder.discard()
        raise
    return serial


@contextmanager
def _synced(fd: int) -> Iterator[None]:
    """Flush the file `fd` to disk (os.fsync) in a thread while the body runs; done, or its OSError raised, on
    leaving: the fsync waits on the disk, and holds no lock the body needs."""
    failed: list[OSError] = []

    def sync() -> None:
        try:
            os.fsync(fd)
        except OSError as exc:
            failed.append(exc)

    thread = threading.Thread(target=sync, name="dbom-fsync", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
    if failed:
        raise failed[0]


def load(path: Path | str, stream: bool = False) -> Dbom:
    """Read a DBOM file back into the internal model (DbomFileError if it is not one, or does not validate).

    With `stream=True` the shards stay on disk: each dataset's `shards` is a sequence that reads them
    again from the file each time it is iterated, and `Dataset.summary` has their counts and totals.
    Memory then does not grow with the number of shards (a DBOM of 10^7 shards reads in a few hundred
    megabytes), where `stream=False` holds every shard as a `Shard`.
    """
    from dbom.cyclonedx.reader import read_dbom  # not needed to write: scan's start-up does without it

    return read_dbom(Path(path), shards_on_disk=stream)


def validate_file(path: Path | str) -> list[str]:
    """Validate any CycloneDX JSON file: official schema and integrity rules; [] when valid."""
    from dbom.cyclonedx.validate import validate_file as _validate

    return _validate(Path(path))
