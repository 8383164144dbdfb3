"""The OS refusing a write is the user's matter, not an internal error: a folder at the output path, a
read-only folder, a full disk and a file-size limit each make `scan`, `report`, `init` and `attach` print
one line naming the file and the cause, exit 1, and leave no file (nor a temporary one) behind.

Root ignores permissions, so real mechanisms are used: a tiny tmpfs filled up (ENOSPC), a tmpfs mounted
read-only (EROFS), RLIMIT_FSIZE (EFBIG; always available). The mount tests skip only when mounting is not
permitted.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from corpora import make_corpus, make_tiny_model
from helpers import run_dbom, sample_manifest, scan_to_file

COMMANDS = ("scan", "report", "init", "attach")


class Setup:
    """Inputs for each command; `run(command, target)` writes into the folder `target`."""

    def __init__(self, root: Path) -> None:
        self.corpus = make_corpus(root / "corpus")
        # the sample manifest's DBOM: `report` needs its facts (a DBOM without them fails in the template)
        self.dbom_file = scan_to_file(sample_manifest(root / "manifest"), root / "in.cdx.json")
        self.model = make_tiny_model(root / "model")

    def output(self, command: str, target: Path) -> Path:
        """The path the command writes (for attach, the DBOM in the model folder `target`)."""
        return target / ("dbom.cdx.json" if command in ("scan", "attach") else
                         "report.md" if command == "report" else "dbom.yaml")

    def run(self, command: str, target: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
        """Run `command` writing into `target` (attach: a copy of the model must already be there)."""
        out = str(self.output(command, target))
        args = {
            "scan": ("scan", "-q", "--no-cache", str(self.corpus / "alpha"), "-o", out),
            "report": ("report", str(self.dbom_file), "-o", out),
            "init": ("init", str(self.corpus / "alpha"), "-o", out),
            "attach": ("attach", "-q", str(self.dbom_file), str(target)),
        }[command]
        return run_dbom(*args, **kwargs)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return Setup(tmp_path_factory.mktemp("inputs"))


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _assert_one_line_error(done: subprocess.CompletedProcess[str], output: Path, cause: str) -> None:
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [f"dbom: error: {output}: {cause}"], done.stderr


def _prepare(setup: Setup, command: str, target: Path) -> None:
    """What must be in `target` before the command runs: for attach, the model."""
    if command == "attach":
        shutil.copytree(setup.model, target, dirs_exist_ok=True)


def _fill(folder: Path) -> None:
    """Fill the file system of `folder` until it has no byte left."""
    chunk = b"\0" * 4096
    with (folder / "filler").open("wb", buffering=0) as fh:
        try:
            while True:
                fh.write(chunk)
        except OSError as exc:
            assert exc.errno == 28  # ENOSPC
    with (folder / "filler").open("ab", buffering=0) as fh, pytest.raises(OSError):
        fh.write(b"\0")  # truly full: not even one more byte


@pytest.mark.parametrize("command", ["scan", "report", "init"])
def test_an_existing_folder_as_the_output(setup: Setup, tmp_path: Path, command: str) -> None:
    output = setup.output(command, tmp_path)
    output.mkdir()
    (output / "inside").write_text("kept")
    done = setup.run(command, tmp_path)
    if command == "init":  # without --force, init refuses any existing path before writing
        assert done.returncode == 1 and "already exists" in done.stderr
        done = run_dbom("init", str(setup.corpus / "alpha"), "-o", str(output), "--force")
    _assert_one_line_error(done, output, "is a folder; name a file to write")
    assert _listing(tmp_path) == [output.name] and (output / "inside").read_text() == "kept"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_disk(setup: Setup, tmpfs: Callable[[str], Path], command: str) -> None:
    target = tmpfs("size=1m")
    _prepare(setup, command, target)
    _fill(target)
    before = _listing(target)
    done = setup.run(command, target)
    _assert_one_line_error(done, setup.output(command, target), "cannot write: No space left on device")
    assert _listing(target) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_a_read_only_folder(setup: Setup, tmpfs: Callable[[str], Path], command: str) -> None:
    target = tmpfs("size=1m")
    _prepare(setup, command, target)
    remounted = subprocess.run(["mount", "-o", "remount,ro", str(target)], capture_output=True, text=True,
                               check=False)
    assert remounted.returncode == 0, remounted.stderr
    before = _listing(target)
    done = setup.run(command, target)
    _assert_one_line_error(done, setup.output(command, target), "cannot write: Read-only file system")
    assert _listing(target) == before


def _limit_file_size() -> None:
    """In the child: files may not grow past 2 KiB (a write beyond fails with EFBIG; SIGXFSZ is ignored)."""
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_size_limit(setup: Setup, tmp_path: Path, command: str) -> None:
    target = tmp_path / "out"
    target.mkdir()
    _prepare(setup, command, target)
    before = _listing(target)
    done = setup.run(command, target, preexec_fn=_limit_file_size)
    _assert_one_line_error(done, setup.output(command, target), "cannot write: File too large")
    assert _listing(target) == before


def test_a_failed_write_of_the_validation_memo_only_costs_speed(tmp_path: Path, tmpfs: Callable[[str], Path]) -> None:
    from dbom.cyclonedx.validation_memo import ValidationMemo

    cache = tmpfs("size=64k")
    (cache / "validated").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(cache)], check=True)
    memo = ValidationMemo(cache, tmp_path / "out.cdx.json", "1.6")
    memo.store([b"\0" * 16])  # the memo tolerates the OS's refusal: no exception
    assert memo.load() == set()


def test_an_output_below_a_regular_file(setup: Setup, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("kept")
    output = tmp_path / "a-file" / "dbom.cdx.json"
    done = run_dbom("scan", "-q", "--no-cache", str(setup.corpus / "alpha"), "-o", str(output))
    _assert_one_line_error(done, output, f"cannot write: {tmp_path / 'a-file'} is not a folder")
    assert _listing(tmp_path) == ["a-file"]
