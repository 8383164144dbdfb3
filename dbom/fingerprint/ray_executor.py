"""The Ray executor: the per-shard work of a scan as Ray tasks, in batches balanced by bytes.

The driver lists, consults the cache and writes; only the misses come here. They are cut into
batches of about equal bytes (at most `MAX_BATCH_FILES` files each), so that a million tiny files
are not a million tasks and one huge dataset still spreads over every worker. At most a few
batches per worker are in flight; results come back in input order, so the DBOM is the one the
local executor writes, byte for byte. A worker that dies mid-batch is retried by Ray
(`max_retries`); a DbomError raised by the work is the scan's error, as locally.

Nothing about the cluster (addresses, node or worker ids) is returned to the caller but the number
of workers, for the summary.
"""

from __future__ import annotations

import os
import socket
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from dbom.errors import DbomError

T = TypeVar("T")
R = TypeVar("R")

MAX_BATCH_FILES = 1024
MIN_BATCH_BYTES = 8 << 20
BATCHES_PER_WORKER = 4  # batches cut per worker: enough to even out unequal files
IN_FLIGHT_PER_WORKER = 2
TASK_RETRIES = 3  # a worker process killed mid-batch: Ray runs the batch again
CONNECT_TIMEOUT_SECONDS = 15


class RaySession:
    """A connection to a Ray cluster for one scan: `address` (or RAY_ADDRESS), else a local instance started here.

    `connect` connects on first need; `close` shuts down a local instance started here.
    """

    def __init__(self, address: str | None = None) -> None:
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "error")  # Ray's C++ core: no info and warning lines
        try:
            import ray
        except ImportError:
            raise DbomError(None, "--executor ray needs the ray package: pip install 'dbom[ray]'") from None
        self.ray = ray
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self.started_here = False

    def connect(self) -> RaySession:
        """Connect (once): to the cluster at `address`, else to a new local instance on 127.0.0.1."""
        ray = self.ray
        if ray.is_initialized():
            return self
        if self.address:
            _reachable(self.address)  # Ray itself retries an unreachable address for minutes
        local = {} if self.address else {"_node_ip_address": "127.0.0.1"}
        try:
            with _stderr_silenced():
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False, configure_logging=True,
                         logging_level="ERROR", **local)
        except Exception as exc:  # ConnectionError, TimeoutError, RuntimeError... as the Ray version has it
            where = self.address or "a local Ray instance"
            raise DbomError(where, f"cannot reach the Ray cluster: {' '.join(str(exc).split())[:300]}") from None
        self.started_here = True
        return self

    def close(self) -> None:
        """Disconnect, shutting down a local instance started here."""
        if self.started_here:
            with _stderr_silenced():
                self.ray.shutdown()
            self.started_here = False

    @property
    def workers(self) -> int:
        """The CPUs the cluster offers: how many tasks run at once."""
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def ordered_map(self, work: Callable[[list[T]], list[R]], items: Sequence[T],
                    weights: Sequence[int]) -> Iterator[R]:
        """Yield `work(batch)`'s results for `items`, in input order, running the batches as Ray tasks.

        `work` must be a module-level function (Ray imports it in the workers) taking a list of items
        and returning one result per item; `weights` are the items' sizes in bytes.
        """
        ray = self.connect().ray
        task = ray.remote(max_retries=TASK_RETRIES)(work)
        batches = batches_by_bytes(items, weights, self.workers)
        pending: deque[Any] = deque()
        queue = iter(batches)
        try:
            for batch in queue:
                pending.append(task.remote(batch))
                if len(pending) >= self.workers * IN_FLIGHT_PER_WORKER:
                    break
            while pending:
                results = self._get(pending.popleft())
                for batch in queue:  # keep the cluster busy while the driver collects
                    pending.append(task.remote(batch))
                    break
                yield from results
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise

    def _get(self, ref: Any) -> list[Any]:
        ray = self.ray
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, DbomError):
                raise cause from None
            raise DbomError(None, f"a Ray task failed: {type(cause or exc).__name__}: "
                                  f"{' '.join(str(cause or exc).split())[:300]}") from None
        except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                ray.exceptions.ObjectLostError) as exc:
            raise DbomError(None, f"a Ray worker died {TASK_RETRIES + 1} times on the same batch "
                                  f"({type(exc).__name__})") from None


def _reachable(address: str) -> None:
    """A one-line error, within CONNECT_TIMEOUT_SECONDS, when nothing listens at `address` (`[ray://]HOST:PORT`)."""
    if address == "auto":
        return
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise DbomError(address, "not a Ray address: give HOST:PORT or ray://HOST:PORT")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_SECONDS).close()
    except OSError as exc:
        raise DbomError(address, f"cannot reach the Ray cluster: {exc.strerror or exc}") from None


@contextmanager
def _stderr_silenced() -> Iterator[None]:
    """File descriptor 2 sent to /dev/null: Ray's C++ core writes start-up and shut-down chatter there itself
    (e.g. that it could not guess the machine's address), which would break dbom's one-line promise."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def batches_by_bytes(items: Sequence[T], weights: Sequence[int], workers: int) -> list[list[T]]:
    """`items` cut, in order, into batches of about equal bytes: some per worker, none over MAX_BATCH_FILES files."""
    total = sum(weights)
    target = max(MIN_BATCH_BYTES, total // max(1, workers * BATCHES_PER_WORKER))
    batches: list[list[T]] = []
    batch: list[T] = []
    size = 0
    for item, weight in zip(items, weights, strict=True):
        if batch and (size + weight > target or len(batch) >= MAX_BATCH_FILES):
            batches.append(batch)
            batch, size = [], 0
        batch.append(item)
        size += weight
    if batch:
        batches.append(batch)
    return batches
