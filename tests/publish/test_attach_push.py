"""`dbom attach --push`: the real huggingface_hub client commits to a Hub stand-in on loopback.

The server below answers the three endpoints `HfApi.create_commit` uses for small files (README
metadata validation, preupload, commit) and records every request, so the tests check what arrived.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from corpora import make_tiny_model
from helpers import run_dbom

import dbom

TOKEN = "hf_fakeTokenThatMustNeverBePrinted0123"
REPO = "acme/tiny-lm"


@dataclass
class Received:
    """What the stand-in Hub received."""

    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    fail_with: int | None = None  # answer the preupload with this status instead
    yaml_warnings: list[str] = field(default_factory=list)  # what the metadata validation warns about

    def commits(self) -> list[list[dict[str, Any]]]:
        """The NDJSON payloads posted to the commit endpoint, one list of items per commit."""
        return [[json.loads(line) for line in body.splitlines() if line.strip()]
                for method, path, _, body in self.requests if method == "POST" and "/commit/" in path]


class _Handler(BaseHTTPRequestHandler):
    server: _HubServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        received = self.server.received
        received.requests.append(("POST", self.path, dict(self.headers.items()), body))
        path = self.path.split("?", 1)[0]
        if path == "/api/validate-yaml":
            return self._json(200, {"errors": [], "warnings": [{"message": m} for m in received.yaml_warnings]})
        if path == f"/api/models/{REPO}/preupload/main":
            if received.fail_with:
                return self._json(received.fail_with, {"error": "Invalid credentials in Authorization header"})
            files = json.loads(body)["files"]
            return self._json(200, {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False,
                                               "oid": None} for f in files]})
        if path == f"/api/models/{REPO}/commit/main":
            oid = "c0ffee" * 6 + "c0ff"
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            return self._json(200, {"commitUrl": f"{base}/{REPO}/commit/{oid}", "commitOid": oid,
                                    "pullRequestUrl": None})
        return self._json(404, {"error": f"not served by the test Hub: {path}"})

    def do_GET(self) -> None:
        self.server.received.requests.append(("GET", self.path, dict(self.headers.items()), b""))
        self._json(404, {"error": "not served by the test Hub"})

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
        pass


class _HubServer(ThreadingHTTPServer):
    daemon_threads = True
    received: Received


@pytest.fixture
def hub() -> Iterator[tuple[str, Received]]:
    """A Hub stand-in on 127.0.0.1 (a free port), served from a thread and shut down after the test."""
    server = _HubServer(("127.0.0.1", 0), _Handler)
    server.received = Received()
    server.timeout = 10
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def attach_inputs(corpus: Path, tmp_path: Path) -> tuple[Path, Path]:
    manifest = corpus / "dbom.yaml"
    manifest.write_text("model: {name: tiny-lm, version: '1.0'}\n"
                        "datasets:\n  - name: alpha\n    path: alpha/\n"
                        "    location: https://huggingface.co/datasets/acme/alpha\n")
    out = tmp_path / "dbom.cdx.json"
    dbom.write(dbom.scan(manifest=manifest), out)
    return out, make_tiny_model(tmp_path / "tiny-lm")


def _env(endpoint: str, home: Path) -> dict[str, str]:
    return {"HF_ENDPOINT": endpoint, "HF_TOKEN": TOKEN, "HF_HOME": str(home), "HF_HUB_OFFLINE": "0",
            "HF_HUB_DISABLE_TELEMETRY": "1", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


def test_push_commits_exactly_the_dbom_and_the_card(hub: tuple[str, Received], attach_inputs: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    endpoint, received = hub
    received.yaml_warnings = ["license is missing"]
    dbom_file, model_dir = attach_inputs
    result = run_dbom("attach", str(dbom_file), str(model_dir), "--push", REPO, env=_env(endpoint, tmp_path / "hf"))
    assert result.returncode == 0, result.stderr
    assert f"pushed dbom.cdx.json and README.md to {REPO}: {endpoint}/{REPO}/commit/" in result.stderr
    # What the Hub warns about is one line, not a Python warning with its source line.
    assert f"dbom: warning: {REPO}: Warnings while validating metadata in README.md: - license is missing\n" \
        in result.stderr
    assert "UserWarning" not in result.stderr

    commits = received.commits()
    assert len(commits) == 1
    header, *operations = commits[0]
    assert header["key"] == "header"
    assert header["value"]["summary"] == "Attach the data bill of materials (dbom.cdx.json) and update the model card"
    assert "tiny-lm 1.0" in header["value"]["description"]
    arrived = {op["value"]["path"]: base64.b64decode(op["value"]["content"]) for op in operations}
    assert all(op["key"] == "file" and op["value"]["encoding"] == "base64" for op in operations)
    assert set(arrived) == {"dbom.cdx.json", "README.md"}
    assert arrived["dbom.cdx.json"] == (model_dir / "dbom.cdx.json").read_bytes()
    assert arrived["README.md"] == (model_dir / "README.md").read_bytes()
    assert b"- acme/alpha" in arrived["README.md"] and b'"weights"' in arrived["dbom.cdx.json"]

    # The token went to the Hub, and nowhere else.
    auths = {headers.get("Authorization") or headers.get("authorization") for _, _, headers, _ in received.requests}
    assert auths == {f"Bearer {TOKEN}"}
    assert TOKEN not in result.stdout + result.stderr
    assert all(TOKEN.encode() not in p.read_bytes() for p in model_dir.iterdir())
    paths = [(method, path.split("?")[0]) for method, path, _, _ in received.requests]
    assert paths == [("POST", "/api/validate-yaml"), ("POST", f"/api/models/{REPO}/preupload/main"),
                     ("POST", f"/api/models/{REPO}/commit/main")]


def test_a_refused_push_is_one_line_without_the_token(hub: tuple[str, Received], attach_inputs: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    endpoint, received = hub
    received.fail_with = 401
    dbom_file, model_dir = attach_inputs
    result = run_dbom("attach", str(dbom_file), str(model_dir), "--push", REPO, env=_env(endpoint, tmp_path / "hf"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    error = result.stderr.strip()
    assert error.startswith(f"dbom: error: {REPO}: push failed: HTTP 401 (not authenticated")
    assert "written to" in error and "not uploaded" in error
    assert TOKEN not in result.stdout + result.stderr
    assert received.commits() == []
    assert (model_dir / "dbom.cdx.json").is_file()  # the local attach stands


def test_the_python_api_pushes_with_an_explicit_endpoint_and_token(hub: tuple[str, Received],
                                                                    attach_inputs: tuple[Path, Path],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint, received = hub
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    dbom_file, model_dir = attach_inputs
    result = dbom.attach(dbom_file, model_dir, push=REPO, endpoint=endpoint, token=TOKEN)
    assert result.commit_url is not None and result.commit_url.startswith(f"{endpoint}/{REPO}/commit/")
    (commit,) = received.commits()
    assert sorted(op["value"]["path"] for op in commit[1:]) == ["README.md", "dbom.cdx.json"]


def test_a_bad_repo_id_is_refused_before_anything_is_written(attach_inputs: tuple[Path, Path]) -> None:
    dbom_file, model_dir = attach_inputs
    before = sorted(p.name for p in model_dir.iterdir())
    for repo in ("../etc", "acme", "acme/tiny lm", "a/b/c"):
        result = run_dbom("attach", str(dbom_file), str(model_dir), "--push", repo)
        assert result.returncode == 1 and "not a Hub repository id" in result.stderr
    assert sorted(p.name for p in model_dir.iterdir()) == before
