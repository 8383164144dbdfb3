"""A commit that touches no dataset file, nor any step's code, is no change of the data."""

from __future__ import annotations

import shutil
from pathlib import Path

from corpora import REPO
from helpers import commit_all, git, init_repo, run_dbom

MANIFEST = """model: {name: m}
datasets:
  - name: raw
    path: data/raw/
  - name: web
    path: data/web/
steps:
  - name: filter
    code: src/filter.py
    inputs: [raw]
    outputs: [web]
"""


def _project(tmp_path: Path) -> Path:
    project = init_repo(tmp_path / "project")
    shutil.copytree(REPO / "sample_datasets" / "forum-qa", project / "data" / "raw")
    shutil.copytree(REPO / "sample_datasets" / "recipes", project / "data" / "web")
    (project / "src").mkdir()
    (project / "src" / "filter.py").write_text("print('filter')\n")
    (project / "README.md").write_text("# project\n")
    (project / "dbom.yaml").write_text(MANIFEST)
    commit_all(project, "one")
    return project


def _scan(project: Path, out: Path) -> Path:
    done = run_dbom("scan", "-c", str(project / "dbom.yaml"), "-o", str(out), env={"SOURCE_DATE_EPOCH": "0"})
    assert done.returncode == 0, done.stderr
    return out


def test_a_commit_elsewhere_is_no_change(tmp_path: Path) -> None:
    project = _project(tmp_path)
    before = _scan(project, tmp_path / "v1.json")
    (project / "README.md").write_text("# project, reworded\n")
    commit_all(project, "readme only")
    after = _scan(project, tmp_path / "v2.json")
    assert before.read_bytes() != after.read_bytes()  # the checkout's commit moved, and is still recorded
    done = run_dbom("diff", str(before), str(after))
    assert done.returncode == 0, done.stdout
    assert "No differences." in done.stdout and "vcs.commit" not in done.stdout


def test_a_commit_to_the_data_or_the_code_still_is(tmp_path: Path) -> None:
    project = _project(tmp_path)
    before = _scan(project, tmp_path / "v1.json")
    (project / "src" / "filter.py").write_text("print('filter, stricter')\n")
    commit_all(project, "code")
    after = _scan(project, tmp_path / "v2.json")
    done = run_dbom("diff", str(before), str(after))
    assert done.returncode == 1
    assert "filter (changed)" in done.stdout and "code_ref.sha256" in done.stdout
    (project / "data" / "web" / "LICENSE").write_text("All rights reserved.\n")
    commit_all(project, "data")
    last = _scan(project, tmp_path / "v3.json")
    changed = run_dbom("diff", str(after), str(last))
    assert changed.returncode == 1 and "web" in changed.stdout
    assert git(project, "log", "-1", "--format=%H", "--", "data/web") in last.read_text(encoding="utf-8")


def test_license_evidence_changes_read_as_what_changed(tmp_path: Path) -> None:
    data = tmp_path / "recipes"
    shutil.copytree(REPO / "sample_datasets" / "recipes", data)
    before = tmp_path / "v1.json"
    assert run_dbom("scan", str(data), "-o", str(before)).returncode == 0
    (data / "LICENSE").unlink()
    card = data / "README.md"
    card.write_text(card.read_text().replace("cc0-1.0", "cc-by-sa-4.0"))
    after = tmp_path / "v2.json"
    assert run_dbom("scan", str(data), "-o", str(after)).returncode == 0
    done = run_dbom("diff", str(before), str(after))
    assert done.returncode == 1
    assert "license_evidence[card]: CC0-1.0 → CC-BY-SA-4.0" in done.stdout
    assert "license_evidence[license-file LICENSE]: CC0-1.0 → (none)" in done.stdout
    assert "characters, sha256:" not in done.stdout
