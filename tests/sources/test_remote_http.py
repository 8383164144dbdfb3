"""https:// corpora (plain http on loopback here) through fsspec's HTTP filesystem, with byte ranges."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from corpora import copy_samples
from helpers import datasets_by_name, load_json, props, run_dbom, shards_of
from loopback_http import serve_flaky_folder, serve_folder


def test_an_index_page_is_a_dataset_of_its_links(tmp_path: Path) -> None:
    samples = copy_samples(tmp_path / "samples")
    out, local_out = tmp_path / "out.json", tmp_path / "local.json"
    with serve_folder(samples) as base:
        done = run_dbom("scan", f"{base}/forum-qa/", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert run_dbom("scan", str(samples / "forum-qa"), "-o", str(local_out)).returncode == 0
    remote, local = datasets_by_name(load_json(out))["forum-qa"], datasets_by_name(load_json(local_out))["forum-qa"]
    assert shards_of(remote).keys() == shards_of(local).keys()
    for path, shard in shards_of(remote).items():
        assert shard["hashes"][0]["content"] == hashlib.sha256((samples / "forum-qa" / path).read_bytes()).hexdigest()
        assert props(shard)["dbom:records"] == props(shards_of(local)[path])["dbom:records"]
        assert props(shard)["dbom:store:etag"]
    assert props(remote)["dbom:license:class"] == props(local)["dbom:license:class"]
    assert "127.0.0.1" in props(remote)["dbom:source:url"]  # the URL given is where it was read from


def test_a_missing_page_is_one_line(tmp_path: Path) -> None:
    with serve_folder(tmp_path) as base:
        done = run_dbom("scan", f"{base}/nothing-here/data.parquet", "-o", str(tmp_path / "out.json"))
    assert done.returncode == 1
    assert done.stderr.startswith(f"dbom: error: {base}/nothing-here/data.parquet: ")
    assert len(done.stderr.splitlines()) == 1 and not (tmp_path / "out.json").exists()


def test_a_server_that_fails_twice_per_request_is_retried(tmp_path: Path) -> None:
    samples = copy_samples(tmp_path / "samples")
    out = tmp_path / "out.json"
    with serve_flaky_folder(samples, failures=2) as base:
        done = run_dbom("scan", f"{base}/forum-qa/", "-o", str(out), "--no-cache")
    assert done.returncode == 0, done.stderr
    shards = shards_of(datasets_by_name(load_json(out))["forum-qa"])
    assert sum(int(props(s)["dbom:records"]) for s in shards.values()) == 5800


def test_a_server_that_keeps_failing_is_one_line_after_the_retries(tmp_path: Path) -> None:
    samples = copy_samples(tmp_path / "samples")
    out = tmp_path / "out.json"
    with serve_flaky_folder(samples, failures=1000) as base:
        done = run_dbom("scan", f"{base}/forum-qa/forum-qa-00000.jsonl.gz", "-o", str(out))
    assert done.returncode == 1
    assert done.stderr.startswith(f"dbom: error: {base}/forum-qa/forum-qa-00000.jsonl.gz: ")
    assert done.stderr.endswith("(after 4 attempts)\n") and len(done.stderr.splitlines()) == 1
    assert not out.exists()


def test_access_denied_is_one_line_at_once(tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Forbidden(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forbidden)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/private/data.parquet"
    try:
        done = run_dbom("scan", url, "-o", str(tmp_path / "out.json"))
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 1
    assert done.stderr == f"dbom: error: {url}: access denied (ClientResponseError)\n"  # at once: not retried


def test_a_refusal_fsspec_reports_as_not_found_is_still_access_denied() -> None:
    # fsspec's HTTP filesystem turns a failed HEAD-then-GET into FileNotFoundError with the real cause
    # chained; whether a 403 arrives so or bare depends on which request met it first
    import aiohttp
    from yarl import URL

    from dbom.errors import DbomError
    from dbom.sources.remote import remote_errors

    url = "http://127.0.0.1:9/private/data.parquet"
    request = aiohttp.RequestInfo(URL(url), "GET", {}, URL(url))  # type: ignore[arg-type]
    for status, said in ((403, "access denied (ClientResponseError)"),
                         (404, "no such bucket, repository, revision or object")):
        refusal = aiohttp.ClientResponseError(request, (), status=status, message="refused")
        with pytest.raises(DbomError) as caught, remote_errors(url):
            raise FileNotFoundError(url) from refusal
        assert str(caught.value) == f"{url}: {said}"
