"""Replace a file atomically: write a temporary file beside it, rename it into place when complete.

Every file dbom writes (a DBOM, a report, a manifest, the validation memo) goes through here, so
an interrupted or failed write never leaves a half-written file at the path, nor a stray
temporary one beside it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from dbom.errors import DbomError


@contextmanager
def replacing(output: Path, *, binary: bool = False) -> Iterator[tuple[IO[Any], Path]]:
    """Yield an open temporary file beside `output` and its path; rename it to `output` on success.

    Text files are UTF-8 with LF line ends. On a clean exit the file gets the permissions a new
    file would (0644 under the umask) and replaces `output`; on an exception it is removed and the
    exception goes on. Raises DbomError when the folder of `output` does not exist.
    """
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise DbomError(str(output), "the output folder does not exist")
    fd, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=folder)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w+b") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh, tmp
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
