"""Processing steps: the manifest's `steps` resolved to code pinned by repository, commit and digest.

A step's `code` (and `config`) is one of:
- a path relative to the manifest's folder (a file or a folder): its content digest, and its
  repository, commit and dirty state when it lies in a git working tree;
- `REPO@REV:PATH` with REPO a local repository (relative to the manifest's folder): the file
  PATH as it is at REV in that repository, REV resolved to the full commit;
- `URL@COMMIT:PATH` with URL a remote repository: recorded as stated (no network), COMMIT
  being at least 7 hex digits; the content digest is then unknown.

The digest of a file is the SHA-256 of its bytes; of a folder, SHA-256 over the lines
`<relative path>\\t<sha256 of the file>\\n` of every regular file below it, sorted by path
(VCS and cache folders such as `.git` and `__pycache__` left out).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from dbom.errors import ManifestError
from dbom.manifest import Manifest, line_of
from dbom.model import CodeRef, Dataset, ProcessingStep, VcsInfo
from dbom.util.redact import LOCAL, clean_remote_url, is_url

_PINNED = re.compile(r"^(?P<repo>.+)@(?P<rev>[^@:/\s]+):(?P<path>[^:]+)$")
_HEX_COMMIT = re.compile(r"^[0-9a-fA-F]{7,40}$")
_CHUNK = 1 << 20


class CodeError(Exception):
    """A code reference that cannot be resolved; the message says why."""


def resolve_steps(manifest: Manifest) -> tuple[ProcessingStep, ...]:
    """The manifest's steps with their code and config resolved; ManifestError naming the step and line otherwise."""
    base = manifest.source.parent if manifest.source is not None else Path.cwd()
    label = str(manifest.source or "manifest")
    return tuple(_resolve(raw, base, label) for raw in manifest.steps)


def _resolve(raw: Mapping[str, Any], base: Path, label: str) -> ProcessingStep:
    name = str(raw["name"]).strip()
    refs: dict[str, CodeRef | None] = {}
    for key in ("code", "config"):
        refs[key] = None
        if raw.get(key):
            try:
                refs[key] = resolve_code(str(raw[key]), base, allow_folder=key == "code")
            except CodeError as exc:
                raise ManifestError(label, f"{line_of(raw, key)}steps[{name}].{key}: {exc}") from None
    return make_step(
        name=name,
        kind=raw.get("kind"),
        code_ref=refs["code"],
        config=refs["config"],
        entrypoint=raw.get("entrypoint"),
        command=raw.get("command"),
        args=raw.get("args") or {},
        inputs=_names(raw.get("inputs")),
        outputs=_names(raw.get("outputs")),
        counts={k: raw[k] for k in ("documents_in", "documents_out", "bytes_in", "bytes_out") if k in raw},
        license=raw.get("license"),
    )


def make_step(name: str, *, kind: str | None = None, code_ref: CodeRef | None = None, config: CodeRef | None = None,
              entrypoint: str | None = None, command: str | None = None, args: Mapping[str, Any] | None = None,
              inputs: Sequence[str] = (), outputs: Sequence[str] = (),
              counts: Mapping[str, int] | None = None, license: str | None = None) -> ProcessingStep:
    """A ProcessingStep from resolved parts; `args` values become text (JSON for non-strings)."""
    counts = counts or {}
    return ProcessingStep(
        name=name,
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        command=command,
        code=code_text(code_ref) if code_ref else None,
        kind=kind,
        code_ref=code_ref,
        entrypoint=entrypoint,
        args=tuple((str(k), arg_text(v)) for k, v in (args or {}).items()),
        config=config,
        documents_in=counts.get("documents_in"),
        documents_out=counts.get("documents_out"),
        bytes_in=counts.get("bytes_in"),
        bytes_out=counts.get("bytes_out"),
        license=license,
    )


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def arg_text(value: Any) -> str:
    """An argument's value as text: strings as they are, anything else as JSON (`true`, `0.8`, `[1, 2]`)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def code_text(ref: CodeRef) -> str:
    """A code reference as one line: `<url>@<commit>:<path>` when its repository has a URL, else its path."""
    if ref.vcs and ref.vcs.url and ref.vcs.url != LOCAL:
        return f"{ref.vcs.url}@{ref.vcs.commit}:{ref.path}"
    return ref.path


def resolve_code(text: str, base: Path, allow_folder: bool = True) -> CodeRef:
    """Resolve a step's `code` or `config` text (see the module docstring); CodeError says what is wrong."""
    text = text.strip()
    pinned = _PINNED.match(text)
    if pinned and not (base / text).exists():
        repo, rev, path = pinned["repo"], pinned["rev"], pinned["path"].strip("/")
        if is_url(repo) or clean_remote_url(repo) != LOCAL:
            if not _HEX_COMMIT.match(rev):
                raise CodeError(f"a remote repository must be pinned by a commit id (7 to 40 hex digits), not {rev!r}")
            return CodeRef(path=path, vcs=VcsInfo(commit=rev.lower(), url=clean_remote_url(repo), path=path))
        return _at_commit(base / repo, rev, path)
    return _working_tree(base / text, base, allow_folder)


def _at_commit(repo: Path, rev: str, path: str) -> CodeRef:
    from dbom.provenance.git import blob_at, remote_of, repository_root, resolve_commit

    if not repo.is_dir() or repository_root(repo) is None:
        raise CodeError(f"{repo.name or repo}: not a git repository")
    commit = resolve_commit(repo, rev)
    if commit is None:
        raise CodeError(f"no commit {rev!r} in the repository")
    content = blob_at(repo, commit, path)
    if content is None:
        raise CodeError(f"no file {path!r} at commit {commit[:12]}")
    return CodeRef(path=path, sha256=hashlib.sha256(content).hexdigest(),
                   vcs=VcsInfo(commit=commit, url=remote_of(repo), path=path))


def _working_tree(path: Path, base: Path, allow_folder: bool) -> CodeRef:
    from dbom.provenance.git import vcs_info

    if path.is_file():
        digest = file_sha256(path)
    elif path.is_dir() and allow_folder:
        digest = folder_sha256(path)
    elif path.is_dir():
        raise CodeError(f"{_shown(path, base)} is a folder, a file is expected")
    else:
        raise CodeError(f"no such file or folder: {_shown(path, base)}")
    vcs = vcs_info(path, require_tracked=False)
    return CodeRef(path=vcs.path if vcs else _shown(path, base), sha256=digest, vcs=vcs)


def _shown(path: Path, base: Path) -> str:
    """`path` relative to `base` when inside it, else its name only: a DBOM names no local folders."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(base)).as_posix()
    except ValueError:
        return path.name


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def folder_sha256(folder: Path) -> str:
    """SHA-256 over `<relative path>\\t<sha256>\\n` of the regular files below `folder`, sorted by path."""
    from dbom.sources.local import SKIP_DIRS, VCS_DIRS

    lines = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in VCS_DIRS and d not in SKIP_DIRS]
        for name in files:
            path = Path(top) / name
            if path.is_file():
                lines.append(f"{path.relative_to(folder).as_posix()}\t{file_sha256(path)}\n")
    h = hashlib.sha256()
    for line in sorted(lines):
        h.update(line.encode())
    return h.hexdigest()


def link_ancestors(datasets: Iterable[Dataset], steps: Sequence[ProcessingStep]) -> tuple[Dataset, ...]:
    """The datasets, each with the inputs of the steps that wrote it as its ancestors (sorted, itself excluded)."""
    sources: dict[str, set[str]] = {}
    for step in steps:
        for output in step.outputs:
            sources.setdefault(output, set()).update(i for i in step.inputs if i != output)
    return tuple(replace(d, ancestors=tuple(sorted(sources[d.name]))) if sources.get(d.name) else d
                 for d in datasets)
