"""Git provenance of a path: remote URL (without credentials), commit, branch or tag, dirty state.

Runs the real `git` command (no library): it knows shallow clones, detached HEADs, worktrees
and every configuration quirk better than a reimplementation would. A path outside a git
working tree, a repository without any commit, or a machine without `git` simply give no
VCS provenance (None), never an error.

The diff digest of a dirty path is SHA-256 over, in order: the bytes of
`git diff HEAD --binary --full-index --no-color --no-ext-diff --no-textconv -- <path>`, then
the line `untracked\\n`, then for each untracked, not ignored file under the path (sorted by
repository path) the line `<path>\\t<sha256 of its content>\\n`. Two working trees with the
same digest differ from the commit in exactly the same way.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from dbom.model import VcsInfo
from dbom.util.redact import clean_remote_url

if TYPE_CHECKING:
    import subprocess

GIT_TIMEOUT = 120  # seconds; a `git status` on a huge tree can be slow, a hung one must not hang dbom
_CHUNK = 1 << 20
# Variables that would point git at another repository than the one the path is in.
_GIT_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
                 "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES")


class _GitUnavailable(Exception):
    """git is not installed or did not answer in time."""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV_DROP}
    env.update(LC_ALL="C", GIT_TERMINAL_PROMPT="0", GIT_LITERAL_PATHSPECS="1", GIT_OPTIONAL_LOCKS="0")
    return env


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    import subprocess  # only where a .git was found: most datasets are not in a repository

    try:
        return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, env=_env(),
                              timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _GitUnavailable(str(exc)) from None


def _out(cwd: Path, *args: str) -> str | None:
    """The command's stdout stripped, or None when it failed."""
    done = _git(cwd, *args)
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "surrogateescape").strip()


def repository_root(path: Path) -> Path | None:
    """The top folder of the git working tree (or worktree) holding `path`, or None."""
    folder = path if path.is_dir() else path.parent
    if not folder.is_dir() or not _has_git_above(folder):
        return None
    try:
        top = _out(folder, "rev-parse", "--show-toplevel")
    except _GitUnavailable:
        return None
    return Path(top) if top else None


def _has_git_above(folder: Path) -> bool:
    """Whether `folder` or a parent holds a `.git` (a folder, or a file for worktrees and submodules).

    Without one git finds no working tree either (the GIT_DIR family is dropped from its environment):
    a few stats instead of starting git for every dataset outside a repository.
    """
    current = os.path.abspath(folder)
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return True
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent


def vcs_info(path: Path, *, whole_tree: bool = False, require_tracked: bool = True) -> VcsInfo | None:
    """The git provenance of `path` (a file or a folder), or None when it has none.

    The dirty flag and diff digest cover `path` only, or the whole working tree when
    `whole_tree` (training code: a script imports its neighbours). With `require_tracked`
    (datasets), a path holding no tracked file has no VCS provenance: data that was never
    committed is not versioned by the repository around it. An ignored path never has any.
    """
    real = Path(os.path.realpath(path))
    top_text = repository_root(real)
    if top_text is None:
        return None
    top = Path(os.path.realpath(top_text))
    try:
        rel = real.relative_to(top).as_posix()
    except ValueError:
        return None
    rel = "" if rel == "." else rel
    try:
        return _info(top, rel, whole_tree, require_tracked)
    except _GitUnavailable:
        return None


def _info(top: Path, rel: str, whole_tree: bool, require_tracked: bool) -> VcsInfo | None:
    spec = rel or "."
    if rel and _git(top, "check-ignore", "-q", "--", rel).returncode == 0:
        return None
    if require_tracked and _git(top, "ls-files", "--error-unmatch", "--", spec).returncode != 0:
        return None
    commit = _out(top, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    if not commit:
        return None  # a repository without any commit pins nothing
    branch = _out(top, "symbolic-ref", "-q", "--short", "HEAD")
    ref = branch or _out(top, "describe", "--tags", "--exact-match", "HEAD") or None
    scope = "." if whole_tree else spec
    status = _git(top, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", scope)
    dirty = status.returncode == 0 and bool(status.stdout)
    return VcsInfo(
        commit=commit,
        url=_remote_url(top, branch),
        ref=ref,
        dirty=dirty,
        diff_digest=diff_digest(top, scope) if dirty else None,
        path=rel,
        last_commit=_out(top, "log", "-1", "--format=%H", "--", spec) or None,
    )


def _remote_url(top: Path, branch: str | None) -> str | None:
    remotes = (_out(top, "remote") or "").split()
    if not remotes:
        return None
    chosen = _out(top, "config", "--get", f"branch.{branch}.remote") if branch else None
    if chosen not in remotes:
        chosen = "origin" if "origin" in remotes else sorted(remotes)[0]
    url = _out(top, "remote", "get-url", chosen)
    return clean_remote_url(url) if url else None


def diff_digest(top: Path, scope: str) -> str:
    """SHA-256 of how the working tree under `scope` differs from HEAD (see the module docstring)."""
    h = hashlib.sha256()
    diff = _git(top, "diff", "HEAD", "--binary", "--full-index", "--no-color", "--no-ext-diff", "--no-textconv",
                "--", scope)
    h.update(diff.stdout)
    h.update(b"untracked\n")
    listed = _git(top, "ls-files", "--others", "--exclude-standard", "-z", "--", scope)
    for name in sorted(p for p in listed.stdout.split(b"\0") if p):
        h.update(name + b"\t" + _file_sha256(top / os.fsdecode(name)).encode() + b"\n")
    return h.hexdigest()


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
    except OSError:
        return "unreadable"
    return h.hexdigest()


def resolve_commit(repo: Path, rev: str) -> str | None:
    """The full commit id `rev` names in the repository at `repo`, or None."""
    try:
        return _out(repo, "rev-parse", "--verify", "-q", f"{rev}^{{commit}}") or None
    except _GitUnavailable:
        return None


def blob_at(repo: Path, commit: str, path: str) -> bytes | None:
    """The content of the file `path` at `commit` in the repository at `repo`, or None if it is not a file there."""
    try:
        kind = _out(repo, "cat-file", "-t", f"{commit}:{path}")
        if kind != "blob":
            return None
        done = _git(repo, "cat-file", "blob", f"{commit}:{path}")
    except _GitUnavailable:
        return None
    return done.stdout if done.returncode == 0 else None


def remote_of(repo: Path) -> str | None:
    """The cleaned URL of the repository's remote (the current branch's, else origin, else the first)."""
    try:
        top = repository_root(repo)
        if top is None:
            return None
        return _remote_url(top, _out(top, "symbolic-ref", "-q", "--short", "HEAD"))
    except _GitUnavailable:
        return None
