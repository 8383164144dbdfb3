"""Remote corpora: list and open the objects under a URL through fsspec and each store's own filesystem.

`s3://` (s3fs), `gs://` (gcsfs), `az://` and `abfs://` (adlfs), `hf://` (huggingface_hub's
HfFileSystem) and `http(s)://` (fsspec's HTTP filesystem). Credentials come from each store's
standard chain only (AWS environment, profiles and roles, `AWS_ENDPOINT_URL`; Google application
credentials; `HF_TOKEN`, the stored Hub login and `HF_ENDPOINT`); user info and secret-looking
query parameters in a URL are dropped, never used, never written.

A listing gives, per object, what identifies a version of it without reading it: size, ETag,
version id (S3 versioned buckets, GCS generation), and a whole-content SHA-256 the store already
holds (the Hub's LFS oid; S3's full-object `ChecksumSHA256`, asked for only when it will be used).
"""

from __future__ import annotations

import base64
import binascii
import os
import posixpath
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, BinaryIO, TypeVar

from dbom.errors import DbomError
from dbom.model import HubInfo
from dbom.util.redact import clean_url

T = TypeVar("T")

# scheme -> (the module that reads it, the dbom extra that installs it)
_BACKENDS = {
    "s3": ("s3fs", "s3"),
    "s3a": ("s3fs", "s3"),
    "gs": ("gcsfs", "gcs"),
    "gcs": ("gcsfs", "gcs"),
    "az": ("adlfs", "azure"),
    "abfs": ("adlfs", "azure"),
    "abfss": ("adlfs", "azure"),
    "hf": ("huggingface_hub", None),
    "http": ("aiohttp", "http"),
    "https": ("aiohttp", "http"),
}
# A URL, also after pathlib folded its `//` (`Path("s3://b")` is `s3:/b`); two letters at least, so that a
# Windows drive (`C:/`) is never taken for a scheme.
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]+):/{1,2}(?P<rest>.*)$", re.S)
# Objects in flight at once: remote reads wait on latency, not on the CPU, so this is not `-j`.
IN_FLIGHT = 16
READ_BLOCK = 8 << 20


@dataclass(frozen=True)
class RemoteRoot:
    """A dataset root given as a URL.

    `url` is the URL as it may be written (no credentials); `path` is the root within the
    filesystem (`bucket/prefix`; for `hf://` the repository path pinned at `hub.revision` once
    resolved); `name` is the dataset name it implies (its last path segment; for the whole of an
    `hf://datasets/ORG/NAME` repository, NAME).
    """

    url: str
    scheme: str
    path: str
    name: str
    hub: HubInfo | None = None
    ref: str | None = None  # for hf://: the branch or tag given, when it was not the commit itself


@dataclass(frozen=True, slots=True)
class RemoteObject:
    """One object under a remote root: its path relative to the root and what identifies its version."""

    relpath: str
    location: str  # its path within the filesystem (for http(s), its URL)
    size: int
    etag: str | None = None
    version_id: str | None = None
    store_sha256: str | None = None  # a SHA-256 of the whole content that the store holds
    blob_id: str | None = None  # hf://: the git blob id (of a small file) or the LFS oid
    modified: str | None = None  # http(s) without an ETag: the Last-Modified header

    @property
    def identity(self) -> str:
        """What changes when the object's content does: its version id, else its ETag or blob, and its size."""
        tag = self.version_id or self.etag or self.blob_id or self.store_sha256 or self.modified or ""
        return f"{tag}:{self.size}"


def parse_remote(text: str) -> RemoteRoot | None:
    """The remote root `text` names, or None when `text` is not a URL (a local path)."""
    match = _URL.match(text)
    if match is None or match["scheme"].lower() in ("file", "local"):
        return None
    scheme = match["scheme"].lower()
    url = clean_url(f"{scheme}://{match['rest']}")  # `s3:/b/k` (folded by pathlib) and `s3://b/k` alike
    if scheme not in _BACKENDS:
        raise DbomError(url, f"unsupported URL scheme {scheme}:// (dbom reads s3, gs, az, hf, http and https)")
    if scheme in ("http", "https"):
        path = url
    else:
        path = url.split("://", 1)[1].split("?", 1)[0].strip("/")
        if not path:
            raise DbomError(url, "no bucket or repository in the URL")
    segments = [s for s in path.split("?", 1)[0].split("/") if s]
    name = segments[-1] if segments else "dataset"
    if scheme == "hf":
        return _hub_root(url, path)
    return RemoteRoot(url=url, scheme=scheme, path=path, name=name.split("@", 1)[0] or "dataset")


def _hub_root(url: str, path: str) -> RemoteRoot:
    """An `hf://[datasets/|spaces/]ORG/NAME[@REVISION][/PATH]` root; the revision is resolved later."""
    segments = path.split("/")
    repo_type = "model"
    if segments[0] in ("datasets", "spaces", "models"):
        repo_type = {"datasets": "dataset", "spaces": "space", "models": "model"}[segments.pop(0)]
    if len(segments) < 2:
        raise DbomError(url, "an hf:// URL names a repository: hf://datasets/ORG/NAME[@REVISION][/PATH]")
    org, name_rev, *inside = segments
    name, _, revision = name_rev.partition("@")
    hub = HubInfo(repo_id=f"{org}/{name}", revision=revision or "main", repo_type=repo_type, path="/".join(inside))
    dataset_name = inside[-1] if inside else name
    return RemoteRoot(url=url, scheme="hf", path=path, name=dataset_name, hub=hub)


def filesystem(root: RemoteRoot) -> Any:
    """The fsspec filesystem that reads `root`; a one-line error naming the extra when its module is missing."""
    module, extra = _BACKENDS[root.scheme]
    try:
        __import__(module)
    except ImportError:
        install = f"pip install 'dbom[{extra}]'" if extra else f"pip install {module}"
        raise DbomError(root.url, f"reading {root.scheme}:// needs the {module} package: {install}") from None
    if root.scheme == "hf":
        from huggingface_hub import HfFileSystem

        return HfFileSystem()
    import fsspec

    options: dict[str, Any] = {}
    if root.scheme in ("s3", "s3a"):
        options["version_aware"] = True  # so that a read can be pinned to the listed version
    return fsspec.filesystem(root.scheme, **options)


def resolve_hub(root: RemoteRoot, fs: Any) -> RemoteRoot:
    """`root` with its Hub revision resolved to the commit id (the branch or tag given is kept as `ref`)."""
    assert root.hub is not None
    given = root.hub.revision
    def ask() -> Any:
        with remote_errors(root.url):
            return fs._api.repo_info(root.hub.repo_id, repo_type=root.hub.repo_type, revision=given)

    info = retrying(ask)
    commit = getattr(info, "sha", None)
    if not commit:
        raise DbomError(root.url, f"the Hub did not resolve revision {given!r} to a commit")
    prefix = {"dataset": "datasets/", "space": "spaces/"}.get(root.hub.repo_type, "")
    inside = f"/{root.hub.path}" if root.hub.path else ""
    return replace(root, hub=replace(root.hub, revision=commit), ref=None if given == commit else given,
                   path=f"{prefix}{root.hub.repo_id}@{commit}{inside}")


def list_objects(root: RemoteRoot, fs: Any, store_checksums: bool = False) -> list[RemoteObject]:
    """Every object under `root`, sorted by relative path (one listing; S3 checksums by HEAD when asked).

    A root that is one object is a dataset of that one file. Over http(s) a listing is the links of
    an index page, without sizes: each object is then asked for its size and ETag (HEAD).
    """
    def listing() -> dict[str, Any]:
        with remote_errors(root.url):
            found = fs.find(root.path, detail=True, withdirs=False)
            if not found and not fs.exists(root.path):
                raise FileNotFoundError(root.path)
            return found

    found = retrying(listing)
    base = _strip(fs, root.path).rstrip("/")
    objects = []
    for path, info in found.items():
        if info.get("type", "file") != "file":
            continue
        name = _strip(fs, path)
        relpath = name[len(base) + 1:] if name.startswith(base + "/") else posixpath.basename(name)
        objects.append(_object(relpath, path, info))
    objects.sort(key=lambda o: o.relpath)
    if root.scheme in ("http", "https"):
        objects = _in_flight(objects, lambda o: current(root, fs, o))
    if store_checksums and root.scheme in ("s3", "s3a"):
        objects = _with_s3_checksums(root, fs, objects)
    return objects


def _in_flight(objects: list[RemoteObject], ask: Callable[[RemoteObject], RemoteObject]) -> list[RemoteObject]:
    """`ask` of each object, many requests in flight (a listing answer per object waits on latency)."""
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        return list(pool.map(ask, objects))


def _strip(fs: Any, path: str) -> str:
    stripped = fs._strip_protocol(path)
    return stripped if isinstance(stripped, str) else path


def _object(relpath: str, location: str, info: dict[str, Any]) -> RemoteObject:
    etag = info.get("ETag") or info.get("etag")
    lfs = info.get("lfs") or None
    version = info.get("VersionId") or info.get("generation") or info.get("version_id")
    return RemoteObject(
        relpath=relpath,
        location=location,
        size=int(info.get("size") or 0),
        etag=str(etag).strip('"') if etag else None,
        version_id=str(version) if version and version != "null" else None,
        store_sha256=(lfs.get("sha256") or lfs.get("oid")) if isinstance(lfs, dict) else None,
        blob_id=info.get("blob_id"),
        modified=info.get("Last-Modified") if not etag else None,
    )


def _with_s3_checksums(root: RemoteRoot, fs: Any, objects: list[RemoteObject]) -> list[RemoteObject]:
    """The objects with S3's full-object SHA-256 (HEAD with checksum mode), many requests in flight."""
    bucket = root.path.split("/", 1)[0]

    def head(obj: RemoteObject) -> RemoteObject:
        key = _strip(fs, obj.location)[len(bucket) + 1:]
        def ask() -> dict[str, Any]:
            with remote_errors(object_url(root, obj)):
                return fs.call_s3("head_object", Bucket=bucket, Key=key, ChecksumMode="ENABLED")

        answer = retrying(ask)
        sha = answer.get("ChecksumSHA256")
        full = answer.get("ChecksumType", "FULL_OBJECT") == "FULL_OBJECT" and sha and "-" not in sha
        return replace(obj, store_sha256=_b64_hex(sha) if full else None,
                       version_id=answer.get("VersionId") if answer.get("VersionId") not in (None, "null")
                       else obj.version_id,
                       etag=str(answer.get("ETag", obj.etag or "")).strip('"') or obj.etag)

    return _in_flight(objects, head)


def _b64_hex(text: str) -> str | None:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


def object_url(root: RemoteRoot, obj: RemoteObject) -> str:
    """The URL of one object (no credentials)."""
    if root.scheme in ("http", "https"):
        return clean_url(obj.location)
    if not obj.relpath or root.url.rstrip("/").endswith("/" + obj.relpath):
        return root.url
    return f"{root.url.split('?', 1)[0].rstrip('/')}/{obj.relpath}"


def open_object(root: RemoteRoot, fs: Any, obj: RemoteObject, block_size: int = READ_BLOCK) -> BinaryIO:
    """Open one object for reading, pinned to its listed version where the store has versions."""
    options: dict[str, Any] = {"block_size": block_size}
    if obj.version_id and root.scheme in ("s3", "s3a"):
        options["version_id"] = obj.version_id
    return fs.open(obj.location, "rb", **options)


def current(root: RemoteRoot, fs: Any, obj: RemoteObject) -> RemoteObject:
    """The object as the store describes it now (to tell whether it changed while it was read)."""
    def ask() -> dict[str, Any]:
        with remote_errors(object_url(root, obj)):
            return fs.info(obj.location)

    return _object(obj.relpath, obj.location, retrying(ask))


# Error messages of the clients may quote a credential (a signed URL, an access key id): cut them.
_SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "HF_TOKEN",
               "HUGGING_FACE_HUB_TOKEN", "AZURE_STORAGE_KEY", "AZURE_STORAGE_CONNECTION_STRING")


def sanitize(message: str) -> str:
    """`message` on one line, without any credential this process holds in its environment, nor signed URLs."""
    text = " ".join(message.split())
    for name in _SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return re.sub(r"https?://\S+", lambda m: clean_url(m.group(0).rstrip(".,;)'\"")), text)


class TransientRemoteError(DbomError):
    """A failure worth trying again: a dropped or refused connection, a timeout, throttling, a 5xx answer."""


_TRANSIENT_NAME = re.compile(r"Timeout|Connect|Disconnect|Throttl|Payload|ProtocolError|IncompleteRead")
_TRANSIENT_TEXT = re.compile(r"\b(?:5\d\d|429)\b|SlowDown|Throttl|RequestLimitExceeded|TooManyRequests|"
                             r"Service Unavailable|Connection reset|Server disconnected")
# Attempts at one request before its error stands, waiting 0.25 s, 0.5 s, 1 s between them.
ATTEMPTS = 4
BACKOFF_SECONDS = 0.25


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (FileNotFoundError, PermissionError)):
        return False
    return (isinstance(exc, (TimeoutError, ConnectionError)) or bool(_TRANSIENT_NAME.search(type(exc).__name__))
            or bool(_TRANSIENT_TEXT.search(str(exc))))


@contextmanager
def remote_errors(url: str) -> Iterator[None]:
    """Turn a client's failure into one line naming the URL: not found, access denied, credentials, network.

    A failure worth trying again is a TransientRemoteError (see `retrying`).
    """
    try:
        yield
    except DbomError:
        raise
    except FileNotFoundError as exc:
        # fsspec's HTTP filesystem reports any failed HEAD-then-GET as not found, with the real cause chained
        cause = exc.__cause__
        if cause is not None and _is_transient(cause):
            raise TransientRemoteError(url, _describe(cause)) from None
        described = _describe(cause) if cause is not None else ""
        if described.startswith(("access denied", "no usable credentials")):  # a 401 or 403, not a 404
            raise DbomError(url, described) from None
        raise DbomError(url, "no such bucket, repository, revision or object") from None
    except PermissionError as exc:
        raise DbomError(url, f"access denied: {sanitize(str(exc)) or 'permission error'}") from None
    except Exception as exc:  # OSError, and the clients' own error classes (botocore, aiohttp, huggingface_hub)
        error = TransientRemoteError if _is_transient(exc) else DbomError
        raise error(url, _describe(exc)) from None


def retrying(action: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """`action()`, tried again with exponential backoff while it fails with a TransientRemoteError."""
    for attempt in range(attempts):
        try:
            return action()
        except TransientRemoteError as exc:
            if attempt == attempts - 1:
                raise DbomError(exc.path, f"{exc.cause} (after {attempts} attempts)") from None
            time.sleep(BACKOFF_SECONDS * 2**attempt)
    raise AssertionError("unreachable")


def _describe(exc: BaseException) -> str:
    kind = type(exc).__name__
    text = sanitize(str(exc))
    if "credential" in kind.lower() or "credential" in text.lower():
        return f"no usable credentials ({kind}): {text}" if text else f"no usable credentials ({kind})"
    if "404" in text or "NoSuchBucket" in text or "NotFound" in kind or "RepositoryNotFound" in kind:
        return "no such bucket, repository, revision or object"
    if "403" in text or "AccessDenied" in text or "Forbidden" in text:
        return f"access denied ({kind})"
    return f"{kind}: {text}" if text else kind


def read_through(source: BinaryIO, sink: Callable[[memoryview], None], chunk: int = READ_BLOCK) -> int:
    """Read `source` to its end in chunks of `chunk` bytes, giving each to `sink`; the number of bytes."""
    total = 0
    buffer = bytearray(chunk)
    view = memoryview(buffer)
    while True:
        n = source.readinto(view) if hasattr(source, "readinto") else _read_into(source, view)
        if not n:
            return total
        sink(view[:n])
        total += n


def _read_into(source: BinaryIO, view: memoryview) -> int:
    data = source.read(len(view))
    view[: len(data)] = data
    return len(data)
