"""`dbom export`: a DBOM file to SPDX 3.0.1 or Croissant files, written atomically."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from dbom.errors import DbomError
from dbom.model import Dbom
from dbom.util.atomic import replacing
from dbom.util.redact import is_url

FORMATS = ("spdx3", "croissant")


def export(dbom: Dbom, source: Path, fmt: str, output: Path, dataset: str | None, roots: Mapping[str, str],
           warn: Callable[[str], None]) -> list[Path]:
    """Write `dbom` (read from `source`) as `fmt` to `output`; the files written.

    SPDX is one document. Croissant is one file per dataset: `output` is that file with `dataset`,
    else a folder that gets `<name>.croissant.json` for each dataset.
    """
    names = [d.name for d in dbom.datasets]
    for name in [*roots, *([dataset] if dataset else [])]:
        if name not in names:
            raise DbomError(None, f"the DBOM has no dataset {name!r} (it has {', '.join(names) or 'none'})")
    if fmt == "spdx3":
        from dbom.export.spdx3 import write_spdx3

        with replacing(output, binary=True) as (fh, _):
            write_spdx3(dbom, source, fh, warn)
        return [output]
    from dbom.export.croissant import croissant, relative_root

    chosen = [d for d in dbom.datasets if dataset is None or d.name == dataset]
    if dataset is None:
        if output.exists() and not output.is_dir():
            raise DbomError(str(output), "not a folder: without --dataset, Croissant files go one per dataset into "
                                         "a folder")
        output.mkdir(parents=True, exist_ok=True)
    written = []
    for ds in chosen:
        target = output if dataset is not None else output / f"{ds.name}.croissant.json"
        where = roots.get(ds.name)
        if where is None and ds.url:
            where = ds.url
        if where is None:
            warn(f"{ds.name}: where its files are is not known (a DBOM holds no local path): their contentUrl is "
                 f"their path, relative to {target.name}; give --root {ds.name}=PATH to point at them")
            files_at = None
        elif is_url(where):
            files_at = where
        else:
            files_at = relative_root(Path(where), target)
        doc = croissant(ds, files_at, warn)
        with replacing(target) as (fh, _):
            fh.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        written.append(target)
    return written
