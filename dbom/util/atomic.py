"""Replace a file atomically: write a temporary file beside it, rename it into place when complete.

Every file dbom writes (a DBOM, a report, a manifest, the validation memo, what `dbom attach`
puts in a model folder) goes through here, so an interrupted or failed write never leaves a
half-written file at the path, nor a stray temporary one beside it:

- an exception (KeyboardInterrupt included) removes the temporary file;
- SIGTERM, SIGHUP (and SIGINT where Python's own handler is not installed), which would end the
  process at once, first remove the temporary files being written, then end it as they would have;
- a temporary file is named `.<name>.<pid>.<random>.tmp`: one left by a writer that died anyway
  (SIGKILL, a power cut) is removed by the next write to the same path, once its pid is gone.

An OSError while writing (a full disk, a read-only folder) is an OutputError naming the output.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import IO, Any

from dbom.errors import DbomError, OutputError

# Signals whose default action ends the process without unwinding Python's stack.
_FATAL_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name))
_active: set[str] = set()  # the temporary files being written by this process
_lock = threading.RLock()  # reentrant: the signal handler may run in the thread that holds it
_previous: dict[int, Any] = {}  # the handlers ours replaced while a write is under way
_holding = False  # the main thread is making and registering a temporary file (`_signals_held`)
_deferred: list[int] = []  # a fatal signal that came meanwhile, taken once that is done


@contextmanager
def replacing(output: Path, *, binary: bool = False) -> Iterator[tuple[IO[Any], Path]]:
    """Yield an open temporary file beside `output` and its path; rename it to `output` on success.

    Text files are UTF-8 with LF line ends. On a clean exit the file gets the permissions a new
    file would (0644 under the umask) and replaces `output`; on an exception it is removed and the
    exception goes on (an OSError as an OutputError naming `output`). Raises DbomError when the folder
    of `output` does not exist or `output` is a folder.
    """
    with temporary_beside(output) as tmp:
        try:
            with open(tmp, "w+b") if binary else open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                yield fh, tmp
            os.chmod(tmp, 0o644 & ~_umask())
            os.replace(tmp, output)
        except OSError as exc:
            raise write_error(output, exc) from None


@contextmanager
def temporary_beside(output: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """An empty temporary file beside `output` (named for this process), removed on leaving unless renamed.

    The caller writes it and renames it into place (os.replace) before leaving; a signal that would
    end the process, or an exception, removes it. Stale temporary files of `output` left by writers
    that are gone are removed first. Raises DbomError (naming `output`) when it cannot be made.
    """
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        cause = f"cannot write: {folder} is not a folder" if folder.exists() else "the output folder does not exist"
        raise DbomError(str(output), cause)
    if output.is_dir():
        raise DbomError(str(output), "is a folder; name a file to write")
    _remove_stale(folder, output.name)
    with _signals_guarded():
        name: str | None = None
        try:
            # the file is made and registered with the fatal signals held back: one arriving in between
            # found a file the handler did not know of yet, and left it behind. A SIGINT held back is
            # raised (KeyboardInterrupt) as they are let through again: inside this `try`, which removes it.
            with _signals_held():
                try:
                    fd, name = tempfile.mkstemp(prefix=f".{output.name}.{os.getpid()}.", suffix=suffix, dir=folder)
                except OSError as exc:
                    raise write_error(output, exc) from None
                os.close(fd)
                with _lock:
                    _active.add(name)
            yield Path(name)
        finally:
            if name is not None:
                with _lock:
                    _active.discard(name)
                with contextlib.suppress(OSError):
                    os.unlink(name)  # gone already when renamed into place


def write_error(output: Path, exc: OSError) -> OutputError:
    """The one-line error for an OSError met writing `output` (full disk, read-only folder...)."""
    return OutputError(str(output), f"cannot write: {exc.strerror or exc}")


def _remove_stale(folder: Path, name: str) -> None:
    """Remove the temporary files of `name` in `folder` whose writer's process is gone.

    Also those of a temporary file of `name` itself (`dbom attach` writes the DBOM to a temporary
    file, through a temporary file of its own).
    """
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return
    own = re.escape(f".{name}.") + r"(\d+)\.[A-Za-z0-9_]+\.(?:[a-z]+\.)?tmp"
    pattern = re.compile(rf"{own}|\.{own}\.(\d+)\.[A-Za-z0-9_]+\.tmp")
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for candidate in names:
        found = pattern.fullmatch(candidate)
        if found is None or any(_alive(int(pid)) for pid in found.groups() if pid is not None):
            continue
        with contextlib.suppress(OSError):
            os.unlink(folder / candidate)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another write of this process (a thread): not stale
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or an absurd pid): leave its file alone
    return True


@contextmanager
def _signals_held() -> Iterator[None]:
    """Block the fatal signals in this thread while inside; one that came meanwhile is delivered on leaving.

    Blocking them in this thread is not enough when the process has other threads: the kernel gives a
    signal sent to the process to one that does not block it, and Python then runs our handler in the
    main thread at once, even inside this block. So the main thread also marks the block, and the
    handler, finding it marked, leaves the signal to be taken on leaving it."""
    global _holding
    main = threading.current_thread() is threading.main_thread()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _FATAL_SIGNALS) if hasattr(signal, "pthread_sigmask") else None
    if main:
        _holding = True
    try:
        yield
    finally:
        if main:
            _holding = False
        if previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        if main and _deferred:
            _remove_and_die(_deferred.pop(), None)


@contextmanager
def _signals_guarded() -> Iterator[None]:
    """While inside, a signal that would end the process at once first removes the temporary files.

    Only in the main thread (where Python runs signal handlers and allows setting them), and only
    for signals left at their default action: a program's own handler, or an ignored signal, is
    kept as it is. Python's SIGINT handler raises KeyboardInterrupt, which unwinds to the cleanup.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    installed = []
    for signum in _FATAL_SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            if signal.getsignal(signum) == signal.SIG_DFL:
                _previous[signum] = signal.signal(signum, _remove_and_die)
                installed.append(signum)
    try:
        yield
    finally:
        for signum in installed:
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signum, _previous.pop(signum, signal.SIG_DFL))


def _remove_and_die(signum: int, frame: FrameType | None) -> None:
    """Remove the temporary files being written, then take the signal's default action (end the process);
    inside `_signals_held`, once it is left."""
    if _holding:
        _deferred.append(signum)
        return
    with _lock:
        for name in list(_active):
            with contextlib.suppress(OSError):
                os.unlink(name)
        _active.clear()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

