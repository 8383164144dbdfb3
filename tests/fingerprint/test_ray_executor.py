"""--executor ray on a real local Ray cluster, every byte of its traffic on loopback (a network namespace)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from corpora import copy_samples, write_jsonl_gz
from helpers import run_dbom

from dbom.fingerprint.ray_executor import MAX_BATCH_FILES, batches_by_bytes

if not os.environ.get("CI"):  # CI installs the extra and runs as root: there these tests must run
    pytest.importorskip("ray", reason="the ray extra: pip install -e '.[ray]'")
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("the Ray tests run the cluster in a network namespace: root and unshare", allow_module_level=True)

# A new network namespace with loopback only: Ray binds there to 127.0.0.1 and reaches nothing else.
NETNS = ("unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"')
ENV = {"SOURCE_DATE_EPOCH": "0", "RAY_DISABLE_USAGE_STATS": "1", "RAY_USAGE_STATS_ENABLED": "0"}


def _scan(*args: str, executor: str = "ray", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    prefix = NETNS if executor == "ray" else ()
    return run_dbom("scan", *args, "--executor", executor, env={**ENV, **(env or {})}, prefix=prefix)


def test_batches_are_balanced_by_bytes_and_bounded_in_files() -> None:
    sizes = [100 << 20] * 4 + [1 << 10] * 5000
    batches = batches_by_bytes(list(range(len(sizes))), sizes, workers=2)
    assert [i for batch in batches for i in batch] == list(range(len(sizes)))  # order kept
    assert all(len(batch) <= MAX_BATCH_FILES for batch in batches)
    assert len(batches) < len(sizes) / 100  # not one task per file
    assert len(batches) >= 4  # not one task for the whole dataset: every worker gets some


def test_the_same_dbom_as_the_local_executor(tmp_path: Path) -> None:
    samples = copy_samples(tmp_path / "samples")
    small = tmp_path / "small"
    for index in range(3000):
        write_jsonl_gz(small / f"part-{index // 500}" / f"f-{index:05d}.jsonl.gz", 2)
    paths = [str(samples / "web-text"), str(samples / "forum-qa"), str(samples / "recipes"), str(small)]
    local, ray = tmp_path / "local.json", tmp_path / "ray.json"
    done_local = _scan(*paths, "-c", str(samples / "dbom.yaml"), "-o", str(local), "--no-cache", executor="local")
    assert done_local.returncode == 0, done_local.stderr
    done_ray = _scan(*paths, "-c", str(samples / "dbom.yaml"), "-o", str(ray), "--no-cache")
    assert done_ray.returncode == 0, done_ray.stderr
    assert ray.read_bytes() == local.read_bytes()
    assert "on Ray (2 workers)" in done_ray.stderr.splitlines()[-1]
    assert "127.0.0.1" not in ray.read_text(encoding="utf-8")


def test_a_corrupt_shard_as_locally_and_a_cached_rescan_sends_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_jsonl_gz(data / "good.jsonl.gz", 5)
    (data / "bad.jsonl.gz").write_bytes(b"not gzip")
    stopped = [_scan(str(data), "-o", str(tmp_path / f"{e}.json"), executor=e) for e in ("local", "ray")]
    assert stopped[0].returncode == stopped[1].returncode == 1
    assert stopped[1].stderr == stopped[0].stderr and stopped[1].stderr.startswith("dbom: error: ")
    assert not (tmp_path / "ray.json").exists()
    cache = {"DBOM_CACHE_DIR": str(tmp_path / "cache")}
    kept = [_scan(str(data), "-o", str(tmp_path / f"{e}-kept.json"), "--keep-going", executor=e, env=cache)
            for e in ("local", "ray")]
    assert kept[0].returncode == kept[1].returncode == 0, kept[1].stderr
    assert (tmp_path / "ray-kept.json").read_bytes() == (tmp_path / "local-kept.json").read_bytes()
    again = _scan(str(data), "-o", str(tmp_path / "again.json"), "--keep-going", env=cache)
    assert again.returncode == 0, again.stderr
    assert "read 1 file" in again.stderr and "(no Ray task needed)" not in again.stderr  # the broken one again
    (data / "bad.jsonl.gz").unlink()
    clean = _scan(str(data), "-o", str(tmp_path / "clean.json"), env=cache)
    assert "read 0 files" in clean.stderr and "(no Ray task needed)" in clean.stderr


def test_a_worker_killed_mid_batch_is_retried_and_the_dbom_is_the_same(tmp_path: Path) -> None:
    data = tmp_path / "slow"
    data.mkdir()
    line = json.dumps({"text": "x" * 200}) + "\n"
    for index in range(6):  # about a second each with --records-digest: time to kill a worker mid-batch
        with gzip.open(data / f"part-{index}.jsonl.gz", "wt", compresslevel=1) as out:
            out.write(line * 60_000)
    local = _scan(str(data), "-o", str(tmp_path / "local.json"), "--no-cache", "--records-digest", executor="local")
    assert local.returncode == 0, local.stderr
    command = [*NETNS, sys.executable, "-m", "dbom", "scan", str(data), "-o", str(tmp_path / "ray.json"),
               "--no-cache", "--records-digest", "--executor", "ray"]
    process = subprocess.Popen(command, env={**os.environ, **ENV}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    killed = threading.Event()

    def kill_one_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            found = subprocess.run(["pgrep", "-f", "ray::scan_batch"], capture_output=True, text=True).stdout.split()
            if found:
                os.kill(int(found[0]), signal.SIGKILL)
                killed.set()
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    _, stderr = process.communicate(timeout=120)
    killer.join()
    assert killed.is_set(), "no Ray worker was seen running a batch"
    assert process.returncode == 0, stderr
    assert (tmp_path / "ray.json").read_bytes() == (tmp_path / "local.json").read_bytes()


def test_an_unreachable_cluster_fails_in_seconds_with_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_jsonl_gz(data / "a.jsonl.gz", 3)
    started = time.monotonic()
    done = _scan(str(data), "-o", str(tmp_path / "out.json"), "--ray-address", "127.0.0.1:1")
    assert done.returncode == 1
    assert done.stderr.startswith("dbom: error: 127.0.0.1:1: cannot reach the Ray cluster")
    assert len(done.stderr.splitlines()) == 1 and time.monotonic() - started < 60
    assert not (tmp_path / "out.json").exists()


def test_ctrl_c_cancels_the_tasks_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "slow"
    data.mkdir()
    line = json.dumps({"text": "x" * 200}) + "\n"
    for index in range(6):
        with gzip.open(data / f"part-{index}.jsonl.gz", "wt", compresslevel=1) as out:
            out.write(line * 60_000)
    out = tmp_path / "out.json"
    command = [*NETNS, sys.executable, "-m", "dbom", "scan", str(data), "-o", str(out), "--no-cache",
               "--records-digest", "--executor", "ray"]
    process = subprocess.Popen(command, env={**os.environ, **ENV}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if subprocess.run(["pgrep", "-f", "ray::scan_batch"], capture_output=True).returncode == 0:
            break
        time.sleep(0.05)
    dbom_pid = subprocess.run(["pgrep", "-f", f"dbom scan {data}"], capture_output=True, text=True).stdout.split()
    assert dbom_pid, "the scan was not seen running"
    os.kill(int(dbom_pid[0]), signal.SIGINT)  # what Ctrl-C sends to the program
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert stderr == "dbom: error: interrupted\n", stderr
    assert not out.exists() and not list(tmp_path.glob(".out.json.*"))
    time.sleep(1)
    assert subprocess.run(["pgrep", "-f", "ray::"], capture_output=True).returncode == 1  # nothing left running


# Run inside the network namespace: a moto S3 server on its loopback, the corpus uploaded through boto3,
# then the same scan of the bucket by both executors (the Ray workers read the objects themselves).
_S3_SCRIPT = '''
import json, os, subprocess, sys
from pathlib import Path
import boto3
from moto.server import ThreadedMotoServer

folder, out, profile = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
os.environ.update({"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7TESTKEY", "AWS_SECRET_ACCESS_KEY": "test/secret",
                   "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://{host}:{port}"})
client = boto3.client("s3")
client.create_bucket(Bucket="lab")
for path in sorted(folder.rglob("*")):
    if path.is_file():
        client.put_object(Bucket="lab", Key=path.relative_to(folder).as_posix(), Body=path.read_bytes())
urls = sorted(f"s3://lab/{p.name}/" for p in folder.iterdir())
runs = {}
for executor in ("local", "ray"):
    done = subprocess.run([sys.executable, "-m", "dbom", "scan", *urls, "-o", str(out / f"{executor}.json"),
                           "--no-cache", "--executor", executor, "--profile", profile],
                          capture_output=True, text=True)
    runs[executor] = [done.returncode, done.stderr]
server.stop()
print(json.dumps(runs))
'''


@pytest.mark.parametrize("profile", ["off", "sample"])
def test_a_remote_corpus_is_read_by_the_ray_workers_with_the_same_dbom(tmp_path: Path, profile: str) -> None:
    pytest.importorskip("moto.server", reason="the test extra's moto[server]")
    if profile != "off":
        pytest.importorskip("pycld2", reason="the profile extra")
    samples = copy_samples(tmp_path / "samples")
    corpus = tmp_path / "bucket"
    shutil.copytree(samples / "web-text", corpus / "web-text")
    shutil.copytree(samples / "recipes", corpus / "recipes")
    # a dataset whose records state their own license: its shards are counted by the driver, from the file
    licensed = corpus / "licensed"
    licensed.mkdir(parents=True)
    for part in range(2):
        rows = [{"text": f"row {part}-{i}", "license": "cc-by-4.0" if i % 2 else "mit"} for i in range(20)]
        (licensed / f"part-{part}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    script = tmp_path / "s3_scan.py"
    script.write_text(_S3_SCRIPT)
    done = subprocess.run([*NETNS, sys.executable, str(script), str(corpus), str(tmp_path), profile],
                          env={**os.environ, **ENV}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    runs = json.loads(done.stdout.splitlines()[-1])
    assert runs["local"][0] == 0, runs["local"][1]
    assert runs["ray"][0] == 0, runs["ray"][1]
    assert (tmp_path / "ray.json").read_bytes() == (tmp_path / "local.json").read_bytes()
    assert "on Ray (2 workers)" in runs["ray"][1].splitlines()[-1]
    assert "warning" not in runs["ray"][1]  # with a profile too, the shards were read (and profiled) by the workers
    doc = json.loads((tmp_path / "ray.json").read_text())
    web_text = next({p["name"] for p in c["properties"]} for c in doc["components"] if c.get("name") == "web-text")
    assert ("dbom:profile:languages" in web_text) is (profile != "off")
    licensed_props = next({p["name"]: p["value"] for p in c["properties"]}
                          for c in doc["components"] if c.get("name") == "licensed")
    shares = {license_: records for license_, records, _ in json.loads(licensed_props["dbom:license:records"])}
    assert shares == {"CC-BY-4.0": 20, "MIT": 20}
    assert "127.0.0.1" not in (tmp_path / "ray.json").read_text()
