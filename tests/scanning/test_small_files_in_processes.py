"""Many small files are read in worker processes (their per-file work holds the GIL): the same DBOM, the same errors."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from helpers import run_dbom

from dbom.errors import DbomError
from dbom.fingerprint import inspect_pool
from dbom.model import Shard
from dbom.scanning import scanner
from dbom.scanning.reading import Job, Settings, new_job, packed, read_batch, read_packed
from dbom.sources.local import walk

FILES = scanner.PROCESS_MIN_FILES + 150  # over the threshold, and a batch left part-full


def _corpus(root: Path) -> Path:
    for i in range(FILES):
        folder = root / f"part-{i // 500:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:05d}.jsonl").write_text(json.dumps({"text": f"record {i}", "n": i}) + "\n")
    return root


def _scan(corpus: Path, out: Path, *extra: str) -> tuple[int, str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0"}
    done = run_dbom("scan", str(corpus), "--no-cache", "-q", "-o", str(out), *extra, env=env)
    return done.returncode, done.stderr


def test_many_small_files_read_in_processes_give_the_dbom_of_one_thread(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    assert _scan(corpus, tmp_path / "auto.json") == (0, "")
    assert _scan(corpus, tmp_path / "one.json", "-j", "1") == (0, "")
    assert (tmp_path / "auto.json").read_bytes() == (tmp_path / "one.json").read_bytes()
    doc = json.loads((tmp_path / "auto.json").read_text())
    assert len(doc["components"][0]["components"]) == FILES


def test_a_corrupt_small_file_read_in_a_process_is_the_same_one_line_error(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    bad = corpus / "part-03" / "01700.jsonl"
    bad.write_bytes(b'{"text": "cut sh')
    code, error = _scan(corpus, tmp_path / "auto.json")
    one_code, one_error = _scan(corpus, tmp_path / "one.json", "-j", "1")
    assert code == one_code == 1
    assert error == one_error and len(error.strip().splitlines()) == 1
    assert "part-03/01700.jsonl: invalid JSON" in error
    assert not (tmp_path / "auto.json").exists()
    # with --keep-going the broken file is recorded, as on one thread
    assert _scan(corpus, tmp_path / "auto.json", "--keep-going")[0] == 0
    assert _scan(corpus, tmp_path / "one.json", "--keep-going", "-j", "1")[0] == 0
    assert (tmp_path / "auto.json").read_bytes() == (tmp_path / "one.json").read_bytes()


def test_of_two_corrupt_files_the_first_is_the_error_whichever_process_read_them(tmp_path: Path) -> None:
    """The scan's own process reads batches beside the workers: an error is still the first in file order."""
    corpus = _corpus(tmp_path / "corpus")
    (corpus / "part-00" / "00003.jsonl").write_bytes(b'{"first": ')  # the first batch: a worker's
    (corpus / "part-04" / "02140.jsonl").write_bytes(b'{"last": ')  # the last batch: read while the first is out
    code, error = _scan(corpus, tmp_path / "auto.json")
    assert code == 1 and "part-00/00003.jsonl: invalid JSON" in error and "02140" not in error
    (corpus / "part-00" / "00003.jsonl").write_text('{"text": "fixed"}\n')
    code, error = _scan(corpus, tmp_path / "auto.json")
    assert code == 1 and "part-04/02140.jsonl: invalid JSON" in error and len(error.strip().splitlines()) == 1


def test_a_worker_started_ahead_of_the_walk_is_killed_when_not_wanted_and_a_later_need_starts_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`--no-cache` starts the workers of `_process_map` before the files are listed; few or large files kill them."""
    from multiprocessing import active_children
    from multiprocessing.context import SpawnProcess

    from dbom.fingerprint import batch_workers, executor

    if not batch_workers.available():
        pytest.skip("batch workers are POSIX only")
    monkeypatch.setattr(executor, "default_jobs", lambda: 2)
    earlier = {p.pid for p in active_children() if isinstance(p, SpawnProcess)}  # an earlier test's, exiting

    def workers() -> list[SpawnProcess]:
        return [p for p in active_children() if isinstance(p, SpawnProcess) and p.pid not in earlier]

    readers = scanner._Readers(0, worker_processes=True)
    try:
        readers.warm()
        assert len(workers()) == 1
        readers.cool()  # not used: killed
        assert workers() == []
        started = readers.batch_workers()
        assert len(started) == 1 and len(workers()) == 1
        started[0].send(len, "abc")
        readers.warm()  # started already: not started again, and used: not killed by `cool`
        readers.cool()
        assert readers.batch_workers() == started and workers() == [started[0].process]
    finally:
        readers.close()
    assert workers() == []
    assert scanner._Readers(1, worker_processes=True).warm() is None  # with -j: none started
    assert workers() == []

    batch_workers.start_ahead()  # as `dbom scan --no-cache` does before its imports: the scan takes them
    ahead = [worker.process for worker in batch_workers._ahead]
    assert len(ahead) == 1 and workers() == ahead
    readers = scanner._Readers(0, worker_processes=True)
    readers.warm()
    assert [worker.process for worker in readers.batch_workers()] == ahead and batch_workers.take_ahead() == []
    readers.close()
    batch_workers.start_ahead()  # not taken (the scan read no local file): killed when the scan closes
    assert len(workers()) == 1
    scanner._Readers(0, worker_processes=True).close()
    assert workers() == [] and batch_workers.take_ahead() == []


def _jobs(root: Path) -> list[tuple[Job, Settings]]:
    settings: Settings = (("sha256",), False, False, None)
    walked = walk(root, lambda message: None)
    return [(new_job((walked[i], None)), settings) for i in range(len(walked))]


def test_a_batch_sent_packed_to_a_worker_is_read_as_the_batch_itself(tmp_path: Path) -> None:
    """The jobs of a batch go to a worker process as plain tuples (`packed`): made again there, they are the same
    jobs (file, stat, doc kind, settings), read to the same results, and a broken file is the same error."""
    import pickle

    root = tmp_path / "corpus"
    root.mkdir()
    for i in range(5):
        (root / f"{i}.jsonl").write_text(f'{{"n": {i}}}\n' * (i + 1))
    (root / "README.md").write_text("# card\n")
    settings: Settings = (("blake3", "sha256"), False, True, None)
    walked = walk(root, lambda message: None)
    jobs = [(new_job((walked[i], "card" if walked[i].relpath == "README.md" else None)), settings)
            for i in range(len(walked))]
    sent = pickle.loads(pickle.dumps(packed(jobs), protocol=pickle.HIGHEST_PROTOCOL))
    assert read_packed(sent) == read_batch(jobs)
    assert [result[0].path for result in read_packed(sent)] == [job.file.relpath for job, _ in jobs]
    assert any(job.doc == "card" for job, _ in jobs) and len(jobs) == 6
    (root / "3.jsonl").write_bytes(b'{"cut')
    with pytest.raises(DbomError, match="invalid JSON") as caught:
        read_packed(sent)
    assert caught.value.path == str(root / "3.jsonl")


def test_a_batch_read_in_passes_raises_the_error_of_its_first_broken_file(tmp_path: Path) -> None:
    """Every file's bytes are read before any is inspected: a later file's read error still comes second."""
    root = tmp_path / "corpus"
    root.mkdir()
    for i in range(6):
        (root / f"{i}.jsonl").write_text('{"n": 1}\n')
    (root / "2.jsonl").write_bytes(b'{"cut')  # an inspection's error
    jobs = _jobs(root)
    (root / "5.jsonl").unlink()  # a read's error, met first
    with pytest.raises(DbomError, match="invalid JSON") as caught:
        read_batch(jobs)
    assert caught.value.path == str(root / "2.jsonl")


def test_a_file_written_between_its_read_and_its_stat_in_a_batch_is_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    for i in range(3):
        (root / f"{i}.jsonl").write_text('{"n": 1}\n')
    target = root / "1.jsonl"
    real = inspect_pool.Inspector.inspect
    calls: list[str] = []

    def inspect(self: Any, path: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(str(path))
        if Path(path) == target and calls.count(str(path)) == 1:
            target.write_text('{"n": 1}\n{"n": 2}\n')  # grown while inspected
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(inspect_pool.Inspector, "inspect", inspect)
    results = read_batch(_jobs(root))
    assert calls.count(str(target)) == 2
    shard = results[1][0]
    assert isinstance(shard, Shard) and shard.records == 2
    assert shard.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert [r[0].path for r in results] == ["0.jsonl", "1.jsonl", "2.jsonl"]


def test_the_files_of_a_batch_read_into_one_buffer_are_each_inspected_from_their_own_bytes(tmp_path: Path) -> None:
    """A group's contents sit one after another in one buffer until inspected: each Parquet footer is its own."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path / "corpus"
    root.mkdir()
    for i in range(12):  # schemas and row counts that differ file to file, and sizes too
        columns = {f"c{j}": pa.array(range(i * 7 + 1)) for j in range(i % 4 + 1)}
        pq.write_table(pa.table(columns), root / f"{i:02d}.parquet")
    results = read_batch(_jobs(root))
    for i, (shard, cacheable, _) in enumerate(results):
        assert isinstance(shard, Shard) and cacheable
        assert shard.records == i * 7 + 1
        assert [c.name for c in shard.columns or ()] == [f"c{j}" for j in range(i % 4 + 1)]
        assert shard.sha256 == hashlib.sha256((root / f"{i:02d}.parquet").read_bytes()).hexdigest()


def test_work_beside_the_workers_runs_once_while_they_read_and_the_results_stay_in_order(tmp_path: Path) -> None:
    """A partial rescan's own work runs in a thread while the workers read (this process reads no batch until it
    is done): the results are those of one process, in order, and an error is still the first in file order."""
    import time

    from dbom.fingerprint.batch_workers import BatchWorker

    corpus = _corpus(tmp_path / "corpus")
    jobs = _jobs(corpus)
    alone = [result for start in range(0, len(jobs), 100) for result in read_batch(jobs[start:start + 100])]
    got: list[Any] = []
    seen_beside: list[int] = []

    def beside() -> None:  # waits for the worker's results to come in meanwhile
        deadline = time.monotonic() + 30
        while len(got) < 2 * scanner.PROCESS_BATCH_FILES and time.monotonic() < deadline:
            time.sleep(0.01)
        seen_beside.append(len(got))

    workers = [BatchWorker()]
    try:
        for result in scanner._process_map(workers, jobs, beside):
            got.append(result)
        assert len(seen_beside) == 1 and seen_beside[0] >= 2 * scanner.PROCESS_BATCH_FILES
        assert [r[0] for r in got] == [r[0] for r in alone]
        broken = next(job for job, _ in jobs if job.file.relpath.endswith("00010.jsonl")).file.location
        Path(broken).write_bytes(b'{"cut')
        with pytest.raises(DbomError, match="invalid JSON") as caught:
            list(scanner._process_map(workers, jobs, lambda: None))
        assert caught.value.path == broken
    finally:
        for worker in workers:
            worker.kill()
