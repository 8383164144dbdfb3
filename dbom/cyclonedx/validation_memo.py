"""Remember which component lines of a DBOM passed validation, so a re-scan does not check them again.

A re-scan of an unchanged corpus writes the same shard components, byte for byte. Whether one of
them is valid (the schema of a component, the hash lengths, where `data` may sit) depends on its
bytes alone, so a line that passed before passes again: the streaming validator then only checks
what depends on the rest of the document (its bom-ref is unique). The memo is the XXH3-128 of
each line of the last valid DBOM written to an output path (and of the rest of that document,
whose schema run is then skipped too), kept in the cache directory; it is
tied to the exact validator (dbom's rules, the schema files, the jsonschema-rs build), and a
memo that cannot be read is an empty one.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
from collections.abc import Iterable
from pathlib import Path

from dbom.util.atomic import replacing

MEMO_FORMAT = 2  # 2: digests stored as XXH3-128 bytes
_DIGEST_BYTES = 16


class ValidationMemo:
    """The digests of the component lines validated for one output path and spec version."""

    def __init__(self, cache_dir: Path, output: Path, spec_version: str) -> None:
        # what a line's validity depends on, as a digest: lines kept from another write may be trusted alike
        self.validator = hashlib.sha256(_validator_identity(spec_version).encode()).hexdigest()[:32]
        key = hashlib.sha256("\0".join((str(MEMO_FORMAT), str(output.resolve()), spec_version,
                                        self.validator)).encode()).hexdigest()
        self.path = cache_dir / "validated" / f"{key[:32]}.bin"

    def load(self) -> set[bytes]:
        """The digests stored by the last valid write (empty when there is none or it is unreadable)."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return set()
        if len(data) % _DIGEST_BYTES:
            return set()
        return {data[i:i + _DIGEST_BYTES] for i in range(0, len(data), _DIGEST_BYTES)}

    def store(self, digests: Iterable[bytes]) -> None:
        """Replace the memo by `digests` (16 bytes each; atomically; a failure to store only costs speed)."""
        data = b"".join(digests)
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with replacing(self.path, binary=True) as (fh, _):
                fh.write(data)


def _validator_identity(spec_version: str) -> str:
    """What the validity of a line depends on: dbom's rules, the schema file, the jsonschema-rs binary
    (each named by path, size and mtime: stats, no reading)."""
    from dbom import __version__
    from dbom.cyclonedx import validate

    parts = [__version__]
    files = [validate.__file__]
    engine = importlib.util.find_spec("jsonschema_rs")  # found, not imported: a memo hit never needs it
    if engine is not None and engine.submodule_search_locations:
        folder = engine.submodule_search_locations[0]
        files += [os.path.join(folder, name) for name in sorted(os.listdir(folder))]
    schemas = importlib.util.find_spec(validate.SCHEMA_PACKAGE)
    if schemas is not None and schemas.submodule_search_locations:
        files.append(os.path.join(schemas.submodule_search_locations[0], f"bom-{spec_version}.SNAPSHOT.schema.json"))
    for name in files:
        st = os.stat(name)
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return "\0".join(parts)
