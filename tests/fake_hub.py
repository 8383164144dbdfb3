"""A loopback stand-in for the Hugging Face Hub: the few routes `HfFileSystem` calls, answered from a local folder.

The Hub cannot be reached from the tests; this server answers the real client (`HF_ENDPOINT` points at
it): revision resolution (`/api/datasets/ORG/NAME/revision/REV`), the tree listing with LFS details
(`/api/datasets/ORG/NAME/tree/REV/PATH?recursive=true`), and file reads with Range
(`/datasets/ORG/NAME/resolve/REV/PATH`). Parquet files are served as LFS files (their SHA-256 in
the listing), others as plain git blobs (their git blob id).
"""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from loopback_http import send_bytes
from loopback_http import serve as serve_handler


def git_blob_id(data: bytes) -> str:
    """The git blob id of `data`, as the Hub lists a file stored in git."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class FakeHub:
    """One dataset repository: its files in `folder`, its commit, and branches or tags resolving to it."""

    folder: Path
    repo_id: str
    commit: str
    refs: dict[str, str]
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    bytes_served: int = 0

    def entries(self, prefix: str) -> list[dict[str, Any]]:
        """The tree listing under `prefix` (recursive), as the Hub's API gives it."""
        found: list[dict[str, Any]] = []
        for path in sorted(self.folder.rglob("*")):
            rel = path.relative_to(self.folder).as_posix()
            if prefix and not (rel == prefix or rel.startswith(prefix + "/")):
                continue
            if path.is_dir():
                found.append({"type": "directory", "oid": "0" * 40, "path": rel})
                continue
            data = path.read_bytes()
            entry: dict[str, Any] = {"type": "file", "oid": git_blob_id(data), "size": len(data), "path": rel}
            if rel.endswith(".parquet"):
                entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
            found.append(entry)
        return found


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, value: Any, code: int = 200) -> None:
            body = json.dumps(value).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _commit(self, revision: str) -> str | None:
            revision = unquote(revision)
            return revision if revision == hub.commit else hub.refs.get(revision)

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            hub.requests.append((self.command, self.path, self.headers.get("Range")))
            url = urlsplit(self.path)
            repo = re.escape(hub.repo_id)
            if match := re.match(rf"^/api/datasets/{repo}/revision/(.+)$", url.path):
                commit = self._commit(match[1])
                if commit is None:
                    return self._json({"error": "Revision Not Found"}, 404)
                files = [{"rfilename": e["path"]} for e in hub.entries("") if e["type"] == "file"]
                return self._json({"id": hub.repo_id, "sha": commit, "siblings": files, "private": False})
            if match := re.match(rf"^/api/datasets/{repo}/tree/([^/]+)/?(.*)$", url.path):
                if self._commit(match[1]) is None:
                    return self._json({"error": "Revision Not Found"}, 404)
                prefix = unquote(match[2]).strip("/")
                entries = hub.entries(prefix)
                if parse_qs(url.query).get("recursive", ["false"])[0].lower() != "true":
                    depth = prefix.count("/") + 1 if prefix else 0
                    entries = [e for e in entries if e["path"].count("/") == depth]
                return self._json(entries)
            if match := re.match(rf"^/datasets/{repo}/resolve/([^/]+)/(.+)$", url.path):
                file = hub.folder / unquote(match[2])
                if self._commit(match[1]) is None or not file.is_file():
                    return self._json({"error": "Entry Not Found"}, 404)
                hub.bytes_served += send_bytes(self, file.read_bytes())
                return None
            return self._json({"error": f"not served here: {url.path}"}, 404)

    return Handler


def serve(hub: FakeHub) -> AbstractContextManager[str]:
    """Serve `hub` on 127.0.0.1; yields the endpoint URL for `HF_ENDPOINT`."""
    return serve_handler(_handler(hub))
