"""What the walk of a dataset leaves out reaches the DBOM, and an unreadable folder is not silently dropped.

A symlink pointing outside the root, a FIFO, a socket and a symlink loop are recorded on the dataset
component as `dbom:warning` (relative paths, sorted) and read back by `dbom.load`. An unreadable folder is
a one-line error naming it (exit 1, nothing written), or, with `--keep-going`, recorded the same way.
Root reads every folder, so those runs drop the two capabilities that let it (setpriv).
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from corpora import make_corpus, make_tiny_model, write_parquet
from helpers import datasets_by_name, load_json, run_dbom

import dbom

# Root reads any folder; without these two capabilities it obeys permissions like anyone.
DROP_READ_OVERRIDE = ("setpriv", "--inh-caps=-dac_override,-dac_read_search",
                      "--bounding-set=-dac_override,-dac_read_search") if os.geteuid() == 0 else ()
PINNED = {"SOURCE_DATE_EPOCH": "1767225600"}


def _warnings(dataset: dict[str, Any]) -> list[str]:
    return [p["value"] for p in dataset.get("properties", []) if p["name"] == "dbom:warning"]


@pytest.fixture
def odd_alpha(tmp_path: Path) -> Iterator[Path]:
    """The corpus's alpha with an escaping symlink, a FIFO, a socket and a symlink loop in it."""
    alpha = make_corpus(tmp_path / "corpus") / "alpha"
    outside = tmp_path / "outside.parquet"
    write_parquet(outside, 7)
    (alpha / "escape.parquet").symlink_to(outside)
    os.mkfifo(alpha / "data" / "pipe.jsonl")
    (alpha / "data" / "again").symlink_to(alpha / "data", target_is_directory=True)
    listener = socket.socket(socket.AF_UNIX)
    cwd = os.getcwd()
    os.chdir(alpha)  # a relative name: AF_UNIX paths are limited to 108 bytes
    try:
        listener.bind("sock")
    finally:
        os.chdir(cwd)
    yield alpha
    listener.close()


EXPECTED = [
    "data/again: skipped folder already walked (a symlink loop, or a second link to it)",
    "data/pipe.jsonl: skipped special file (not a regular file)",
    "escape.parquet: skipped symlink pointing outside the dataset root",
    "sock: skipped special file (not a regular file)",
]


def test_what_the_walk_left_out_is_recorded_on_the_dataset(odd_alpha: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.cdx.json"
    done = run_dbom("scan", str(odd_alpha), "-o", str(out), env=PINNED)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert _warnings(datasets_by_name(load_json(out))["alpha"]) == EXPECTED
    assert str(tmp_path) not in text  # relative paths only
    assert dbom.load(out).datasets[0].warnings == tuple(EXPECTED)  # read back
    again = tmp_path / "again.cdx.json"  # deterministic: the same bytes from a second (cached) scan
    assert run_dbom("scan", str(odd_alpha), "-o", str(again), env=PINNED).returncode == 0
    assert again.read_bytes() == out.read_bytes()


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """The corpus's alpha with a folder that cannot be read (mode 000) holding a shard."""
    if shutil.which("setpriv") is None and os.geteuid() == 0:
        pytest.skip("root reads every folder, and setpriv is not there to stop it")
    alpha = make_corpus(tmp_path / "corpus") / "alpha"
    write_parquet(alpha / "locked" / "hidden.parquet", 3)
    os.chmod(alpha / "locked", 0o000)
    yield alpha
    os.chmod(alpha / "locked", 0o755)


def test_an_unreadable_folder_is_a_one_line_error_and_nothing_is_written(locked: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.cdx.json"
    done = run_dbom("scan", str(locked), "-o", str(out), prefix=DROP_READ_OVERRIDE)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"dbom: error: {locked / 'locked'}: cannot read this folder (Permission denied); its files would be left out"]
    assert not out.exists() and os.listdir(tmp_path) == ["corpus"]


def test_an_unreadable_folder_is_recorded_with_keep_going(locked: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.cdx.json"
    done = run_dbom("scan", "--keep-going", str(locked), "-o", str(out), prefix=DROP_READ_OVERRIDE)
    assert done.returncode == 0, done.stderr
    assert "alpha/locked: skipped unreadable folder (Permission denied)" in done.stderr
    alpha = datasets_by_name(load_json(out))["alpha"]
    assert _warnings(alpha) == ["locked: skipped unreadable folder (Permission denied)"]
    assert dbom.load(out).datasets[0].warnings == ("locked: skipped unreadable folder (Permission denied)",)


def test_an_unreadable_folder_in_a_model_folder_stops_attach(tmp_path: Path) -> None:
    if shutil.which("setpriv") is None and os.geteuid() == 0:
        pytest.skip("root reads every folder, and setpriv is not there to stop it")
    corpus = make_corpus(tmp_path / "corpus")
    dbom_file = tmp_path / "in.cdx.json"
    dbom.write(dbom.scan([corpus / "alpha"]), dbom_file)
    model = make_tiny_model(tmp_path / "model")
    (model / "shards").mkdir()
    shutil.copy(model / "model.safetensors", model / "shards" / "more.safetensors")
    os.chmod(model / "shards", 0o000)
    before = sorted(os.listdir(model))
    try:
        done = run_dbom("attach", str(dbom_file), str(model), prefix=DROP_READ_OVERRIDE)
    finally:
        os.chmod(model / "shards", 0o755)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"dbom: error: {model / 'shards'}: cannot read this folder (Permission denied); its files would be left out")
    assert sorted(os.listdir(model)) == before  # the weights digest would have missed a weight file: nothing written


def test_a_folder_whose_entries_cannot_be_looked_up_is_an_error_too(tmp_path: Path) -> None:
    """A folder that can be listed but not searched (mode r--): its files' stat fails with EACCES."""
    if shutil.which("setpriv") is None and os.geteuid() == 0:
        pytest.skip("root reads every folder, and setpriv is not there to stop it")
    alpha = make_corpus(tmp_path / "corpus") / "alpha"
    write_parquet(alpha / "listed" / "hidden.parquet", 3)
    os.chmod(alpha / "listed", 0o644)
    out = tmp_path / "out.cdx.json"
    try:
        failed = run_dbom("scan", str(alpha), "-o", str(out), prefix=DROP_READ_OVERRIDE)
        kept = run_dbom("scan", "--keep-going", str(alpha), "-o", str(out), prefix=DROP_READ_OVERRIDE)
    finally:
        os.chmod(alpha / "listed", 0o755)
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines() == [
        f"dbom: error: {alpha / 'listed' / 'hidden.parquet'}: cannot read: Permission denied"]
    assert kept.returncode == 0, kept.stderr
    assert dbom.load(out).datasets[0].warnings == ("listed/hidden.parquet: skipped unreadable (Permission denied)",)
