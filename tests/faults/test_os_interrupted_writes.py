"""A write interrupted by a signal leaves no temporary file beside its target (it used to leave one per kill,
of up to 43 MB), and the temporary files of a writer that died anyway (SIGKILL) are removed by the next write
to the same path once that writer's process is gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import run_dbom

SHARDS = 12_000  # enough that writing the DBOM takes a good tenth of a second: the kill lands mid-write


@pytest.fixture(scope="module")
def many_shards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("many") / "data"
    for i in range(SHARDS):
        folder = root / f"{i // 1000:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"part-{i:05d}.jsonl").write_text(f'{{"n": {i}}}\n', encoding="utf-8")
    return root


def _temporaries(folder: Path, name: str) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(f".{name}.") and n.endswith(".tmp"))


def _kill_mid_write(data: Path, out: Path, signum: int) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Start a scan writing `out`, send `signum` as soon as its temporary file exists; its result and the temp seen."""
    child = subprocess.Popen([sys.executable, "-m", "dbom", "scan", "-q", "--no-cache", str(data), "-o", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    deadline = time.monotonic() + 120
    while not seen and child.poll() is None and time.monotonic() < deadline:
        seen = _temporaries(out.parent, out.name)
        if not seen:
            time.sleep(0.0005)
    if seen:
        child.send_signal(signum)
    stdout, stderr = child.communicate(timeout=120)
    return subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr), seen


def test_sigterm_during_the_write_leaves_no_temporary_file(many_shards: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    done, seen = _kill_mid_write(many_shards, out, signal.SIGTERM)
    assert seen, "the scan ended before its temporary file was seen"
    assert done.returncode == -signal.SIGTERM, done.stderr  # it died of the signal, as without dbom's handler
    assert os.listdir(tmp_path) == []  # neither the DBOM nor a temporary file


def test_sigint_during_the_write_leaves_no_temporary_file(many_shards: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    done, seen = _kill_mid_write(many_shards, out, signal.SIGINT)
    assert seen, "the scan ended before its temporary file was seen"
    assert done.returncode == 1 and done.stderr.strip().splitlines()[-1] == "dbom: error: interrupted", done.stderr
    assert os.listdir(tmp_path) == []


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_next_write_removes_the_temporary_files_of_dead_writers_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.jsonl").write_text('{"n": 1}\n', encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    dead = _dead_pid()
    stale = out_dir / f".dbom.cdx.json.{dead}.k3j5x_9a.tmp"
    stale_attach = out_dir / f".dbom.cdx.json.{dead}.q0w9e8r7.attach.tmp"
    stale_nested = out_dir / f"..dbom.cdx.json.{dead}.q0w9e8r7.attach.tmp.{dead}.z1x2c3v4.tmp"  # attach's inner one
    live = out_dir / f".dbom.cdx.json.{os.getpid()}.abcdefgh.tmp"  # this test's process: alive
    other = out_dir / f".report.md.{dead}.abcdefgh.tmp"  # another target's: only its own next write removes it
    for path in (stale, stale_attach, stale_nested, live, other):
        path.write_bytes(b"x" * 1000)
    done = run_dbom("scan", "-q", str(data), "-o", str(out_dir / "dbom.cdx.json"))
    assert done.returncode == 0, done.stderr
    assert sorted(os.listdir(out_dir)) == sorted([live.name, other.name, "dbom.cdx.json"])


_SIGNAL_WHILE_REGISTERING = """
import os, signal, sys, tempfile, threading, time
from pathlib import Path
from dbom.util import atomic

threading.Thread(target=time.sleep, args=(60,), daemon=True).start()  # a thread that does not block the signal
made = tempfile.mkstemp

def mkstemp(*args, **kwargs):
    found = made(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGTERM)  # after the file exists, before it is registered
    time.sleep(0.2)  # the other thread takes it; Python runs the handler in this one at once
    return found

tempfile.mkstemp = mkstemp
with atomic.temporary_beside(Path(sys.argv[1])):
    time.sleep(5)
"""


def test_a_signal_while_the_temporary_file_is_registered_still_removes_it(tmp_path: Path) -> None:
    """The kernel gives a signal sent to the process to a thread that does not block it; Python then runs the
    handler in the main thread at once, even where that thread blocks it. It used to find the new temporary file
    not yet registered, and left it behind (a flake of the SIGTERM test above, once threads lingered)."""
    out = tmp_path / "out.json"
    done = subprocess.run([sys.executable, "-c", _SIGNAL_WHILE_REGISTERING, str(out)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert os.listdir(tmp_path) == []
