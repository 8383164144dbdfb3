"""Time a command as a whole process: wall time, CPU time (its own and its children's) and peak RSS.

The command is started by a small launcher process, which waits for it and reports its resource use:
Linux carries a process's peak RSS across exec from the memory it was forked with, so a command forked
straight from a (large) benchmark process would report the benchmark's size as its own peak.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

_LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
elapsed = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    json.dump([os.waitstatus_to_exitcode(status), elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss], out)
"""


def run(args: list[str], env: dict[str, str] | None = None, label: str = "bench") -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB) of the command `args` (timed by the launcher, its start left
    out); a command that fails ends the benchmark with its error, `label` first."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run([sys.executable, "-c", _LAUNCHER, report.name, *args], stdout=subprocess.DEVNULL, stderr=err,
                       env=env, check=False)
        code, elapsed, cpu, peak_kib = json.loads(Path(report.name).read_text())
        if code != 0:
            err.seek(0)
            raise SystemExit(f"{label}: {' '.join(args)} failed: {err.read().decode(errors='replace')[-400:]}")
    return elapsed, cpu, peak_kib * 1024 / 1e6
