"""`dbom attach` never opens a special file in the model folder: a FIFO named like the card or the config
is refused or skipped at once, never waited on (it used to warn "skipped special file", then block)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from corpora import make_corpus, make_tiny_model
from helpers import load_json

import dbom

TIMEOUT = 30  # seconds; the bug was a hang


@pytest.fixture
def dbom_file(tmp_path: Path) -> Path:
    corpus = make_corpus(tmp_path / "corpus")
    out = tmp_path / "in.cdx.json"
    dbom.write(dbom.scan([corpus / "alpha"]), out)
    return out


def _attach(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([sys.executable, "-m", "dbom", "attach", *args], capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"dbom attach {' '.join(args)} hung (still running after {TIMEOUT} s)")


def test_a_fifo_as_the_model_card_is_refused_and_the_folder_is_left_as_it_was(tmp_path: Path, dbom_file: Path) -> None:
    model = make_tiny_model(tmp_path / "model")
    os.mkfifo(model / "README.md")
    before = sorted(p.name for p in model.iterdir())
    result = _attach(str(dbom_file), str(model))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"dbom: error: {model / 'README.md'}: is a FIFO, not a model card; not read or replaced"
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in model.iterdir()) == before  # no DBOM, no temporary file


def test_a_fifo_as_config_json_is_skipped_with_a_warning_recorded_in_the_dbom(tmp_path: Path, dbom_file: Path) -> None:
    model = make_tiny_model(tmp_path / "model")
    (model / "config.json").unlink()
    os.mkfifo(model / "config.json")
    result = _attach(str(dbom_file), str(model))
    assert result.returncode == 0, result.stderr
    assert "config.json: not read (FIFO, not a regular file)" in result.stderr
    warnings = dbom.load(model / "dbom.cdx.json").warnings
    assert any(w.startswith("model folder: config.json: not read (FIFO") for w in warnings), warnings
    assert load_json(model / "dbom.cdx.json")["metadata"]["component"]["components"]  # the weights are bound


def test_a_fifo_as_the_dbom_to_attach_is_refused(tmp_path: Path) -> None:
    model = make_tiny_model(tmp_path / "model")
    fifo = tmp_path / "fifo.cdx.json"
    os.mkfifo(fifo)
    result = _attach(str(fifo), str(model))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"dbom: error: {fifo}: is a FIFO, not a DBOM file"
