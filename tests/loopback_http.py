"""Loopback HTTP servers for the remote-corpus tests: byte ranges served as real servers do."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def send_bytes(handler: BaseHTTPRequestHandler, data: bytes, etag: bool = True) -> int:
    """Answer `handler`'s GET or HEAD with `data`, honouring a `Range` header; the number of body bytes sent."""
    start, end, code = 0, len(data) - 1, 200
    wanted = handler.headers.get("Range")
    if wanted:
        first, last = wanted.split("=", 1)[1].split("-", 1)
        if first:
            start, end = int(first), min(int(last), len(data) - 1) if last else len(data) - 1
        else:
            start = max(0, len(data) - int(last))
        code = 206
    part = data[start:end + 1]
    handler.send_response(code)
    handler.send_header("Content-Length", str(len(part)))
    handler.send_header("Accept-Ranges", "bytes")
    if etag:
        handler.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
    if code == 206:
        handler.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
    handler.end_headers()
    if handler.command == "HEAD":
        return 0
    handler.wfile.write(part)
    return len(part)


class RangeFolderHandler(SimpleHTTPRequestHandler):
    """A folder served with its index pages (links) and byte ranges, quietly."""

    def log_message(self, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_file():
            send_bytes(self, path.read_bytes())
            return None
        return super().send_head()


@contextmanager
def serve(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on 127.0.0.1 in a thread; yields the base URL, and stops the server after."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def serve_folder(folder: Path) -> AbstractContextManager[str]:
    """Serve `folder` on 127.0.0.1; yields the base URL."""
    return serve(partial(RangeFolderHandler, directory=str(folder)))


class FlakyFolderHandler(RangeFolderHandler):
    """Like RangeFolderHandler, but the first `failures` requests for each path answer 503 Service Unavailable."""

    failures = 2
    seen: dict[str, int]

    def send_head(self) -> Any:
        count = self.seen.get(self.path, 0)
        self.seen[self.path] = count + 1
        if count < self.failures:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return super().send_head()


def serve_flaky_folder(folder: Path, failures: int) -> AbstractContextManager[str]:
    """Serve `folder` on 127.0.0.1, each path failing `failures` times with a 503 first; yields the base URL."""
    handler = type("Flaky", (FlakyFolderHandler,), {"failures": failures, "seen": {}})
    return serve(partial(handler, directory=str(folder)))
