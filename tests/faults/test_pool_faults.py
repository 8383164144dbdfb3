"""An error while worker processes parse large shards ends the program: it never hangs at exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dbom.fingerprint.inspect_pool import PROCESS_MIN_BYTES


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
