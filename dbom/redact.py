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
