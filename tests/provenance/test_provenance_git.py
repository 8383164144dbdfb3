"""Git provenance of dataset roots, read with the real `git` from repositories the tests make."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from corpora import make_corpus
from helpers import GIT_TEST_ENV, commit_all, datasets_by_name, git, init_repo, load_json, props, run_dbom

import dbom
from dbom.model import VcsInfo
from dbom.provenance.git import vcs_info
from dbom.util.redact import clean_remote_url

TOKEN_REMOTE = "https://user:ghp_FAKE@example.com/org/repo.git"
CLEAN_REMOTE = "https://example.com/org/repo.git"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the test corpus (alpha, beta) and a script, committed on main."""
    root = init_repo(tmp_path / "repo", remote=TOKEN_REMOTE)
    make_corpus(root / "corpus")
    (root / "tools").mkdir()
    (root / "tools" / "clean.py").write_text("print('clean')\n")
    commit_all(root, "corpus")
    return root


def _manifest(repo: Path) -> Path:
    manifest = repo / "dbom.yaml"
    manifest.write_text("model: {name: m}\ndatasets:\n  - {name: alpha, path: corpus/alpha}\n"
                        "  - {name: beta, path: corpus/beta}\n")
    return manifest


def expected_diff_digest(top: Path, scope: str) -> str:
    """The digest as the README and dbom/provenance/git.py define it, computed here independently."""
    h = hashlib.sha256()
    h.update(subprocess.run(["git", "diff", "HEAD", "--binary", "--full-index", "--no-color", "--no-ext-diff",
                             "--no-textconv", "--", scope], cwd=top, capture_output=True, check=True,
                            env={**GIT_TEST_ENV, "PATH": "/usr/bin:/bin"}).stdout)
    h.update(b"untracked\n")
    for name in sorted(git(top, "ls-files", "--others", "--exclude-standard", "--", scope).splitlines()):
        h.update(f"{name}\t{hashlib.sha256((top / name).read_bytes()).hexdigest()}\n".encode())
    return h.hexdigest()


def test_scan_of_a_corpus_in_git_names_the_commit_and_a_remote_without_its_token(repo: Path, tmp_path: Path) -> None:
    commit = git(repo, "rev-parse", "HEAD")
    out = tmp_path / "out.cdx.json"
    result = run_dbom("scan", "-q", "-c", str(_manifest(repo)), "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "ghp_FAKE" not in text and "user:" not in text and str(tmp_path) not in text
    alpha = datasets_by_name(load_json(out))["alpha"]
    assert {"type": "vcs", "url": f"{CLEAN_REMOTE}#{commit}"} in alpha["externalReferences"]
    assert alpha["pedigree"]["commits"] == [{"uid": commit, "url": f"{CLEAN_REMOTE}#{commit}"}]
    p = props(alpha)
    assert p["dbom:vcs:commit"] == commit
    assert p["dbom:vcs:url"] == CLEAN_REMOTE
    assert p["dbom:vcs:ref"] == "main"
    assert p["dbom:vcs:dirty"] == "false"
    assert p["dbom:vcs:path"] == "corpus/alpha"
    assert "dbom:vcs:diff-digest" not in p
    assert run_dbom("validate", str(out)).returncode == 0
    read = dbom.load(out).datasets[0]
    assert read.vcs == VcsInfo(commit=commit, url=CLEAN_REMOTE, ref="main", path="corpus/alpha", last_commit=commit)


def test_a_dirty_dataset_gets_the_dirty_flag_and_a_digest_of_its_changes(repo: Path, tmp_path: Path) -> None:
    alpha = repo / "corpus" / "alpha"
    (alpha / "README.md").write_text("---\nlicense: mit\n---\n# Alpha, edited\n")
    info = vcs_info(alpha)
    assert info is not None and info.dirty
    assert info.diff_digest == expected_diff_digest(repo, "corpus/alpha")
    # beta is untouched: the dirty state is the dataset's own, not the repository's
    beta = vcs_info(repo / "corpus" / "beta")
    assert beta is not None and not beta.dirty and beta.diff_digest is None

    (alpha / "new-notes.txt").write_text("an untracked file\n")
    with_untracked = vcs_info(alpha)
    assert with_untracked is not None and with_untracked.diff_digest not in (None, info.diff_digest)
    assert with_untracked.diff_digest == expected_diff_digest(repo, "corpus/alpha")
    (alpha / "new-notes.txt").write_text("the same untracked file, other content\n")
    changed = vcs_info(alpha)
    assert changed is not None and changed.diff_digest not in (info.diff_digest, with_untracked.diff_digest)

    out = tmp_path / "dirty.cdx.json"
    dbom.write(dbom.scan(manifest=_manifest(repo)), out, spec_version="1.7")
    p = props(datasets_by_name(load_json(out))["alpha"])
    assert p["dbom:vcs:dirty"] == "true" and p["dbom:vcs:diff-digest"] == changed.diff_digest
    assert dbom.validate_file(out) == []


def test_shallow_clone_from_a_local_path_reports_the_remote_as_local(repo: Path, tmp_path: Path) -> None:
    commit = git(repo, "rev-parse", "HEAD")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository") == "true"
    info = vcs_info(clone / "corpus" / "beta")
    assert info == VcsInfo(commit=commit, url="local", ref="main", path="corpus/beta", last_commit=commit)
    out = tmp_path / "shallow.cdx.json"
    dbom.write(dbom.scan([clone / "corpus" / "beta"]), out)
    doc_text = out.read_text()
    assert str(tmp_path) not in doc_text
    beta = datasets_by_name(load_json(out))["beta"]
    assert "externalReferences" not in beta  # "local" is not a place anyone can fetch from
    assert beta["pedigree"]["commits"] == [{"uid": commit}]


def test_detached_head_on_a_tag_names_the_tag_and_elsewhere_no_ref(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD")
    git(repo, "tag", "v1.0")
    (repo / "corpus" / "beta" / "extra.txt").write_text("more\n")
    commit_all(repo, "more")
    git(repo, "checkout", "-q", "--detach", "v1.0")
    info = vcs_info(repo / "corpus" / "alpha")
    assert info is not None and (info.commit, info.ref, info.dirty) == (first, "v1.0", False)
    git(repo, "checkout", "-q", "--detach", "main")
    detached = vcs_info(repo / "corpus" / "alpha")
    assert detached is not None and detached.ref is None and detached.commit != first
    assert detached.url == CLEAN_REMOTE  # no branch: the origin remote


def test_worktree_has_its_own_branch_and_commit(repo: Path, tmp_path: Path) -> None:
    worktree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "feature", str(worktree))
    (worktree / "corpus" / "beta" / "added.txt").write_text("feature data\n")
    feature_commit = commit_all(worktree, "feature")
    info = vcs_info(worktree / "corpus" / "beta")
    assert info == VcsInfo(commit=feature_commit, url=CLEAN_REMOTE, ref="feature", path="corpus/beta",
                           last_commit=feature_commit)
    main_info = vcs_info(repo / "corpus" / "beta")
    assert main_info is not None and main_info.commit != feature_commit and main_info.ref == "main"


def test_no_remote_scp_remote_and_branch_remote(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "plain")
    (repo / "data.txt").write_text("x\n")
    commit = commit_all(repo)
    assert vcs_info(repo) == VcsInfo(commit=commit, url=None, ref="main", path="", last_commit=commit)
    git(repo, "remote", "add", "upstream", "git@github.com:org/corpus.git")
    assert vcs_info(repo).url == "ssh://github.com/org/corpus.git"  # type: ignore[union-attr]
    git(repo, "remote", "add", "origin", "https://example.org/other.git")
    assert vcs_info(repo).url == "https://example.org/other.git"  # type: ignore[union-attr]
    git(repo, "config", "branch.main.remote", "upstream")  # the branch's own remote wins over origin
    assert vcs_info(repo).url == "ssh://github.com/org/corpus.git"  # type: ignore[union-attr]


def test_paths_without_vcs_provenance(tmp_path: Path, repo: Path) -> None:
    outside = make_corpus(tmp_path / "loose")
    assert vcs_info(outside / "alpha") is None
    (repo / ".gitignore").write_text("ignored-data/\n")
    commit_all(repo, "ignore")
    make_corpus(repo / "ignored-data")
    assert vcs_info(repo / "ignored-data" / "alpha") is None  # ignored: not versioned by this repository
    make_corpus(repo / "never-added")
    assert vcs_info(repo / "never-added" / "alpha") is None  # no tracked file: data never committed
    empty = init_repo(tmp_path / "empty")
    (empty / "f.txt").write_text("x\n")
    git(empty, "add", "f.txt")
    assert vcs_info(empty, require_tracked=False) is None  # no commit yet: nothing to pin
    model = dbom.scan([outside / "alpha"])
    assert model.datasets[0].vcs is None


@pytest.mark.parametrize(("remote", "clean"), [
    ("https://user:ghp_FAKE@example.com/org/repo.git", "https://example.com/org/repo.git"),
    ("https://oauth2:glpat-FAKE@gitlab.example.com/g/r.git?private_token=x&ref=1",
     "https://gitlab.example.com/g/r.git?ref=1"),
    ("git@github.com:org/repo.git", "ssh://github.com/org/repo.git"),
    ("ssh://git@host.example:2222/org/repo.git", "ssh://host.example:2222/org/repo.git"),
    ("/home/someone/src/repo.git", "local"),
    ("../sibling", "local"),
    ("file:///srv/git/repo.git", "local"),
    ("~/repo", "local"),
])
def test_remote_urls_are_cleaned(remote: str, clean: str) -> None:
    assert clean_remote_url(remote) == clean


def test_a_dataset_outside_any_repository_starts_no_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dbom.provenance.git import repository_root

    outside = tmp_path / "plain" / "corpus"
    outside.mkdir(parents=True)
    trace = tmp_path / "git-trace.log"
    monkeypatch.setenv("GIT_TRACE", str(trace))  # the real git logs each start here
    assert repository_root(outside) is None
    assert not trace.exists()  # no .git above: git was not started
    (tmp_path / "plain" / ".git").write_text("gitdir: /nowhere\n")  # a worktree-style .git file
    assert repository_root(outside) is None
    assert "rev-parse" in trace.read_text()  # now git is asked (and finds no repository there)
