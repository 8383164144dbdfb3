"""BatchWorker: work sent to a worker process comes back in order, its errors too; a worker that dies is an error."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest

from dbom.errors import DbomError, FormatError
from dbom.fingerprint.batch_workers import BatchWorker, available, wait

pytestmark = pytest.mark.skipif(not available(), reason="batch workers are POSIX only")


def _all_replies(worker: BatchWorker, count: int, timeout: float = 60) -> list[tuple[bool, Any]]:
    replies: list[tuple[bool, Any]] = []
    deadline = time.monotonic() + timeout
    while len(replies) < count:
        assert time.monotonic() < deadline, "no reply"
        wait([worker], timeout=1)
        replies += worker.replies()
    return replies


def test_replies_come_in_the_order_sent_errors_among_them() -> None:
    worker = BatchWorker()
    try:
        big = "x" * (1 << 20)  # more than a pipe holds: sent in parts, as the worker reads
        worker.send(len, big)
        worker.send(os.path.join, "a", "b")
        worker.send(int, "not a number")
        worker.send(str.upper, "z" * 300_000)  # a reply larger than a pipe holds too
        replies = _all_replies(worker, 4)
        assert replies[0] == (True, 1 << 20) and replies[1] == (True, os.path.join("a", "b"))
        assert replies[2][0] is False and isinstance(replies[2][1], ValueError)
        assert replies[3] == (True, "Z" * 300_000)
        assert worker.waiting == 0 and worker.used
    finally:
        worker.kill()
    assert not worker.process.is_alive()


def test_a_dbom_error_in_a_worker_comes_back_as_itself() -> None:
    worker = BatchWorker()
    try:
        worker.send(_raise_format_error)
        (ok, error), = _all_replies(worker, 1)
        assert not ok and isinstance(error, FormatError) and str(error) == "f.parquet: corrupt Parquet footer"
    finally:
        worker.kill()


def test_a_worker_that_dies_with_work_sent_is_an_error_not_a_hang() -> None:
    worker = BatchWorker()
    try:
        worker.send(time.sleep, 30)
        time.sleep(0.5)
        os.kill(worker.process.pid, signal.SIGKILL)
        started = time.monotonic()
        with pytest.raises(DbomError, match="a worker process reading files stopped"):
            _all_replies(worker, 1)
        assert time.monotonic() - started < 10
    finally:
        worker.kill()


def test_a_worker_that_dies_while_another_process_holds_its_pipe_open_is_an_error_too() -> None:
    """No end of the pipe comes (a process the worker forked holds it): its exit alone says it is gone."""
    worker = BatchWorker()
    try:
        worker.send(_fork_and_exit)
        started = time.monotonic()
        with pytest.raises(DbomError, match=r"a worker process reading files stopped \(exit code 5\)"):
            _all_replies(worker, 1)
        assert time.monotonic() - started < 4  # before the forked process (4 s) lets the pipe go
    finally:
        worker.kill()


def _fork_and_exit() -> None:
    if os.fork() == 0:  # the copy holds every descriptor of the worker, its end of the replies' pipe among them
        time.sleep(4)
        os._exit(0)
    os._exit(5)


def _raise_format_error() -> None:
    raise FormatError("f.parquet", "corrupt Parquet footer")


def _blas_threads_and_numpy() -> tuple[str | None, bool]:
    import sys

    return os.environ.get("OPENBLAS_NUM_THREADS"), "numpy" in sys.modules


@pytest.mark.parametrize("asked", [None, "3"])
def test_a_worker_starts_one_blas_thread_unless_the_user_set_how_many(monkeypatch: pytest.MonkeyPatch,
                                                                        asked: str | None) -> None:
    if asked is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", asked)
    worker = BatchWorker()
    try:
        worker.send(_blas_threads_and_numpy)
        # numpy reads the setting once, as it is imported: the worker must not have imported it before
        assert _all_replies(worker, 1) == [(True, ("1" if asked is None else asked, False))]
    finally:
        worker.kill()
    assert os.environ.get("OPENBLAS_NUM_THREADS") == asked  # the caller's environment is left as it was
