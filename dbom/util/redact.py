"""Keep secrets out of URLs before they go into a DBOM: no credentials, no token parameters."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_PARAM = re.compile(
    r"(token|key|secret|sig|signature|password|passwd|pwd|auth|credential|session|x-amz-|x-goog-)", re.I
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


def is_url(text: str) -> bool:
    """True when `text` is an absolute URL with a scheme and no spaces."""
    return bool(_URL.match(text))


def clean_url(url: str) -> str:
    """`url` without user info (user:token@) and without query parameters that look like secrets."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _SECRET_PARAM.search(k)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


# scp-like git remotes: `[user@]host:path`, where host has no slash and is not a one-letter drive.
_SCP_LIKE = re.compile(r"^(?:[^@/\s]+@)?(?P<host>[^@:/\s]{2,}):(?P<path>[^\s]*)$")
LOCAL = "local"


def clean_remote_url(remote: str) -> str:
    """A git remote as it may appear in a DBOM: a URL without credentials, or "local".

    `https://user:token@host/org/repo.git` loses its user info (and secret-looking query
    parameters); scp-like `git@host:org/repo.git` becomes `ssh://host/org/repo.git`; a remote
    that is a local path (absolute, relative, `~`, or a `file:` URL) becomes "local", so no
    local path or user name reaches the document.
    """
    text = remote.strip()
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if scheme == "file":
            return LOCAL
        return clean_url(text)
    match = _SCP_LIKE.match(text)
    if match and not text.startswith((".", "/", "~")):
        path = match["path"].lstrip("/")
        return clean_url(f"ssh://{match['host']}/{path}")
    return LOCAL
