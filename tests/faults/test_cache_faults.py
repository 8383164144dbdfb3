"""A cache that cannot be used or written never loses a scan; a killed scan keeps what it read."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from corpora import write_jsonl_gz
from helpers import run_dbom

from dbom.fingerprint.cache import CACHE_FORMAT


def _corpus(folder: Path, files: int = 40) -> Path:
    for index in range(files):
        write_jsonl_gz(folder / f"part-{index:03d}.jsonl.gz", 50)
    return folder


def test_a_cache_path_that_cannot_be_a_folder_is_a_warning(tmp_path: Path) -> None:
    data = _corpus(tmp_path / "data", 3)
    (tmp_path / "file").write_text("not a folder")
    cache = tmp_path / "file" / "cache"
    done = run_dbom("scan", str(data), "-o", str(tmp_path / "a.json"), env={"DBOM_CACHE_DIR": str(cache),
                                                                           "SOURCE_DATE_EPOCH": "0"})
    assert done.returncode == 0, done.stderr
    assert f"dbom: warning: {cache}: the cache cannot be used (Not a directory); the scan goes on without it" \
        in done.stderr
    plain = run_dbom("scan", str(data), "-o", str(tmp_path / "b.json"), "--no-cache", env={"SOURCE_DATE_EPOCH": "0"})
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert str(tmp_path) not in (tmp_path / "a.json").read_text(encoding="utf-8")
    assert plain.returncode == 0


def test_a_full_cache_disk_is_one_warning_and_the_scan_completes(tmp_path: Path,
                                                                   tmpfs: Callable[[str], Path]) -> None:
    data = _corpus(tmp_path / "data", 400)
    cache = tmpfs("size=96k")  # room for the empty database, not for 400 entries
    done = run_dbom("scan", str(data), "-o", str(tmp_path / "out.json"), env={"DBOM_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("dbom: warning:")]
    assert len(warnings) == 1
    # whichever fills the disk first: the database's entries (SQLite's words) or the dataset's snapshot file
    assert ("the cache cannot be written (database or disk is full)" in warnings[0]
            or "the cache cannot be written (No space left on device)" in warnings[0])
    assert "400 shards" in done.stderr.splitlines()[-1]


def test_a_killed_scan_keeps_what_it_read_and_the_rerun_gives_the_same_dbom(tmp_path: Path) -> None:
    data = tmp_path / "slow"
    line = '{"text": "' + "x" * 200 + '"}\n'
    for index in range(20):  # about 0.2 s each with --records-digest: the run lasts over two flush periods
        (data / f"part-{index}.jsonl").parent.mkdir(exist_ok=True)
        (data / f"part-{index}.jsonl").write_text(line * 60_000)
    env = {**os.environ, "DBOM_CACHE_DIR": str(tmp_path / "cache"), "SOURCE_DATE_EPOCH": "0"}
    out = tmp_path / "out.json"
    command = [sys.executable, "-m", "dbom", "scan", str(data), "-o", str(out), "--records-digest", "-j", "1"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    database = tmp_path / "cache" / f"fingerprints-v{CACHE_FORMAT}.sqlite"
    deadline = time.monotonic() + 120
    kept = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        if database.exists():
            try:
                with sqlite3.connect(database, timeout=1) as db:
                    kept = db.execute("SELECT count(*) FROM entries").fetchone()[0]
            except sqlite3.Error:
                continue
        if kept >= 2:
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    assert kept >= 2 and process.returncode == -signal.SIGKILL, "the scan ended before it could be killed"
    assert not out.exists()
    resumed = run_dbom("scan", str(data), "-o", str(out), "--records-digest", "-j", "1", env=env)
    assert resumed.returncode == 0, resumed.stderr
    hits = int(resumed.stderr.split(" from cache")[0].rsplit(", ", 1)[1].replace(",", ""))
    assert hits >= kept  # the files read before the kill were not read again
    whole = run_dbom("scan", str(data), "-o", str(tmp_path / "whole.json"), "--records-digest", "--no-cache",
                     env={"SOURCE_DATE_EPOCH": "0"})
    assert whole.returncode == 0
    assert out.read_bytes() == (tmp_path / "whole.json").read_bytes()
