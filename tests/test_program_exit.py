"""The `dbom` program (`dbom.cli:run`, also `python -m dbom`) ends without tearing the interpreter down:
what it printed must still arrive, exit codes must be kept, and exit handlers must still run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dbom import __version__


def run_dbom(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m dbom ARGS` with its output block-buffered, as in a user's pipe (not PYTHONUNBUFFERED)."""
    return subprocess.run([sys.executable, "-m", "dbom", *args], env=_buffered_env(), capture_output=True, text=True,
                          timeout=120, check=False)


def _buffered_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}


def test_output_to_a_pipe_arrives_whole_and_exit_code_is_zero() -> None:
    result = run_dbom("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_an_error_keeps_its_one_line_and_exit_code(tmp_path: Path) -> None:
    result = run_dbom("scan", str(tmp_path / "missing"), "-o", str(tmp_path / "out.json"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "missing" in result.stderr
    assert not (tmp_path / "out.json").exists()


def test_a_usage_error_exits_2() -> None:
    assert run_dbom("scan", "--no-such-option").returncode == 2


def test_a_long_output_to_a_pipe_is_not_cut(tmp_path: Path) -> None:
    """More than a pipe's buffer (64 KiB) of stdout, read to the end by the parent."""
    script = """
import atexit, sys
from dbom.cli import main, run

atexit.register(lambda: print("exit handler ran", file=sys.stderr))

@main.command()
def noisy() -> None:
    for _ in range(2000):
        print("y" * 99)

run()
"""
    result = subprocess.run([sys.executable, "-c", script, "noisy"], env=_buffered_env(), capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("y" * 99 + "\n") == 2000
    assert "exit handler ran" in result.stderr
