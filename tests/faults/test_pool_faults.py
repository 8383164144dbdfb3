"""An error while worker processes parse large shards ends the program: it never hangs at exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dbom.fingerprint.batch_workers import available
from dbom.fingerprint.executor import default_jobs
from dbom.fingerprint.inspect_pool import PROCESS_MIN_BYTES
from dbom.scanning.scanner import PROCESS_MIN_FILES


def test_an_error_with_worker_processes_exits_every_time(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    line = json.dumps({"text": "y" * 500}) + "\n"
    copies = PROCESS_MIN_BYTES // len(line) + 100  # large enough to be parsed in a worker process
    for index in range(4):
        with open(data / f"part-{index}.jsonl", "w", encoding="utf-8") as out:
            if index == 0:
                out.write("{bad json\n")
            out.write(line * copies)
    for _ in range(5):  # it hung in four runs of six
        done = subprocess.run([sys.executable, "-m", "dbom", "scan", str(data), "-o", str(tmp_path / "out.json"),
                               "--no-cache", "-j", "2"], capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith("dbom: error: ") and "part-0.jsonl: invalid JSON on line 1" in done.stderr
        assert not (tmp_path / "out.json").exists()


def test_a_batch_worker_that_dies_ends_the_scan_with_one_line(tmp_path: Path) -> None:
    """Many small files are read by batch workers (dbom.fingerprint.batch_workers): one that exits mid-scan is an
    error naming it, never a hang or a traceback."""
    if not available() or default_jobs() < 2:
        pytest.skip("batch workers need POSIX and two CPUs")
    data = tmp_path / "data"
    for index in range(PROCESS_MIN_FILES + 10):
        folder = data / f"part-{index // 1000}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{index:05d}.jsonl").write_text('{"n": 1}\n')
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    # in a spawned process (`python -c "from multiprocessing.spawn import ..."`) reading a batch exits at once
    (hooks / "sitecustomize.py").write_text(
        "import os, sys\n"
        "if sys.argv[:1] == ['-c']:\n"
        "    import dbom.scanning.reading as reading\n"
        "    reading.read_batch = lambda batch: os._exit(3)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(hooks), os.environ.get("PYTHONPATH"))))}
    done = subprocess.run([sys.executable, "-m", "dbom", "scan", str(data), "-o", str(tmp_path / "out.json"),
                           "--no-cache"], capture_output=True, text=True, timeout=120, check=False, env=env)
    assert done.returncode == 1, done.stderr
    assert done.stderr == "dbom: error: a worker process reading files stopped (exit code 3)\n"
    assert not (tmp_path / "out.json").exists()
