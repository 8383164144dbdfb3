"""Worker processes that run batches of work beside the calling thread, over pipes the calling thread drives.

A ProcessPoolExecutor hands its work and results over through two threads of the calling process. While the
calling thread reads files itself (Python, holding the GIL), each handover waited for the GIL, up to a switch
interval (5 ms) at a time, and the worker could sit idle meanwhile (on a busy machine, of 20,000 small files it
read a quarter; on an idle one about half, as it does here). Here the
calling thread itself writes each batch to a worker's pipe (without blocking: what does not fit waits for its next
call) and reads the replies, between batches of its own; no thread of its waits for the GIL.

POSIX only (non-blocking pipes and `select` on them): elsewhere `available()` is False.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pickle
import select
import struct
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from typing import Any

from dbom.errors import DbomError

_HEADER = struct.Struct("<Q")  # each message: its length, then its pickle
_READ_BYTES = 1 << 20


def available() -> bool:
    """Whether this platform has what BatchWorker needs."""
    return os.name == "posix"


class BatchWorker:
    """One worker process (spawned) running `fn(*args)` for each `send`, replying in the order sent.

    A reply is `(True, result)` or `(False, exception)`. A worker that exits before replying to all it was sent
    raises DbomError at the next `replies` (never a hang). Started with `warm` ("module:function"), the worker calls
    that function first (imports): named, so that the caller need not import it.
    """

    def __init__(self, warm: str | None = None) -> None:
        context = multiprocessing.get_context("spawn")
        work_in, work_out = context.Pipe(duplex=False)
        replies_in, replies_out = context.Pipe(duplex=False)
        self.process = context.Process(target=_serve, args=(work_in, replies_out, warm), daemon=True)
        self.process.start()
        work_in.close()  # the worker's ends: its exit then closes the pipes (EOF here, EPIPE on a write)
        replies_out.close()
        self._work, self._replies = work_out, replies_in
        os.set_blocking(work_out.fileno(), False)
        os.set_blocking(replies_in.fileno(), False)
        self._out = bytearray()  # written, once the pipe takes it
        self._in = bytearray()  # read, up to a whole reply
        self.waiting = 0  # messages sent that have no reply yet
        self.used = False  # sent anything

    def send(self, fn: Callable[..., object], *args: object) -> None:
        """Have the worker run `fn(*args)` once it is done with what it was sent before."""
        payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        self._out += _HEADER.pack(len(payload))
        self._out += payload
        self.waiting += 1
        self.used = True
        self._flush()

    def call(self, fn: Callable[..., object], *args: object) -> Callable[[], Any]:
        """Have the worker, which holds no other work, run `fn(*args)` while the caller goes on: sent whole now
        (a message larger than a pipe would wait for the caller's next look), and what is returned waits for the
        result (raising the worker's exception, or DbomError if it stopped). The result must be waited for before
        the worker is sent anything else."""
        if self.waiting:
            raise ValueError("a worker that holds other work")
        self.send(fn, *args)
        came: list[tuple[bool, Any]] = []
        while self._out:
            wait([self])
            came += self.replies()

        def result() -> Any:
            while not came:
                wait([self])
                came.extend(self.replies())
            ok, value = came[0]
            if not ok:
                raise value
            return value

        return result

    def replies(self) -> list[tuple[bool, Any]]:
        """The replies that came in since the last call, in order, without waiting for any."""
        self._flush()
        ended = self._read()
        done = self._parse()
        if self.waiting and (ended or not self.process.is_alive()):
            # gone with work sent: once what it wrote is all read (its pipe's end, or a last read after its exit:
            # another process may hold the pipe open), what has no reply never will
            if not ended:
                self._read()
                done += self._parse()
            if self.waiting:
                raise self._died()
        return done

    def _read(self) -> bool:
        """Read what the pipe holds; True at its end (the worker's end closed: it exited)."""
        fd = self._replies.fileno()
        while True:
            try:
                data = os.read(fd, _READ_BYTES)
            except BlockingIOError:
                return False
            if not data:
                return True
            self._in += data

    def _parse(self) -> list[tuple[bool, Any]]:
        """The whole replies read, taken out of what was read."""
        done: list[tuple[bool, Any]] = []
        start = 0
        while len(self._in) - start >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._in, start)
            end = start + _HEADER.size + size
            if len(self._in) < end:
                break
            done.append(pickle.loads(memoryview(self._in)[start + _HEADER.size:end]))
            start = end
        del self._in[:start]
        self.waiting -= len(done)
        return done

    def _flush(self) -> None:
        while self._out:
            try:
                written = os.write(self._work.fileno(), self._out)
            except BlockingIOError:
                return
            except BrokenPipeError:
                raise self._died() from None
            del self._out[:written]

    def _died(self) -> DbomError:
        self.process.join(timeout=1)
        code = self.process.exitcode
        return DbomError(None, "a worker process reading files stopped"
                               + (f" (exit code {code})" if code is not None else ""))

    def kill(self) -> None:
        """Kill the worker, and wait for it to be gone."""
        self.process.kill()
        self.process.join(timeout=5)
        self._work.close()
        self._replies.close()


SCAN_WARM_UP = "dbom.scanning.reading:warm_up"  # what a scan's worker imports as it starts
# The workers `start_ahead` started, until `take_ahead` takes them.
_ahead: list[BatchWorker] = []


def start_ahead(warm: str = SCAN_WARM_UP) -> None:
    """Start the workers a scan of many small files will read them with (`workers_beside`), before the program has
    imported what the scan takes: their start (imports) then overlaps the program's own, on another CPU. None
    where BatchWorker is not available, or on one CPU. The scan takes them (dbom.scanning.scanner), or kills them."""
    if not _ahead and available() and workers_beside():
        _ahead.extend(BatchWorker(warm) for _ in range(workers_beside()))


def take_ahead() -> list[BatchWorker]:
    """The workers `start_ahead` started (then no longer kept here); [] when none were."""
    taken = _ahead[:]
    _ahead.clear()
    return taken


def workers_beside() -> int:
    """The workers that read beside the calling process: one CPU fewer than this process may use (0 on one)."""
    from dbom.fingerprint.executor import default_jobs

    return default_jobs() - 1


def wait(workers: Iterable[BatchWorker], timeout: float | None = None) -> None:
    """Wait until one of `workers` may have a reply, have exited, or take more of what was sent to it."""
    readable: list[int] = []
    writable: list[int] = []
    for worker in workers:
        readable += (worker._replies.fileno(), worker.process.sentinel)
        if worker._out:
            writable.append(worker._work.fileno())
    select.select(readable, writable, [], timeout)


def _serve(work: Connection, replies: Connection, warm: str | None) -> None:
    """A worker's loop: run each message `(fn, args)` and write its reply, until the pipe is closed."""
    from dbom.util.blas import single_blas_thread

    single_blas_thread()
    if warm is not None:
        module, _, function = warm.partition(":")
        getattr(importlib.import_module(module), function)()
    work_fd, replies_fd = work.fileno(), replies.fileno()
    while True:
        head = _read_exactly(work_fd, _HEADER.size)
        if head is None:
            return  # the caller closed the pipe (or exited): nothing more to do
        body = _read_exactly(work_fd, _HEADER.unpack(head)[0])
        if body is None:
            return
        fn, args = pickle.loads(body)
        try:
            reply = pickle.dumps((True, fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # the caller raises it in its turn
            try:
                reply = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # an exception that cannot be pickled: its type and text still can
                reply = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")),
                                     protocol=pickle.HIGHEST_PROTOCOL)
        message = _HEADER.pack(len(reply)) + reply
        view = memoryview(message)
        while view:
            view = view[os.write(replies_fd, view):]


def _read_exactly(fd: int, size: int) -> bytes | None:
    """`size` bytes from `fd`, or None at its end."""
    parts = []
    while size:
        data = os.read(fd, min(size, _READ_BYTES))
        if not data:
            return None
        parts.append(data)
        size -= len(data)
    return b"".join(parts)
