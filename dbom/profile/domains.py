"""The registered domain of each URL: public-suffix aware, with the suffix list `tldextract` bundles, offline.

A URL's host is read by one regular expression over the whole Arrow array (`scheme://` or `//`, an optional
`user@`, then the host up to `/`, `?`, `#`, `:` or the end; without a scheme, a host must hold a dot, as in
`example.org/page`); it is lower-cased and a trailing dot dropped. Its registered domain is the label just
under its public suffix with that suffix (`news.bbc.co.uk` -> `bbc.co.uk`), from the ICANN section of the
Public Suffix List as the installed `tldextract` ships it (no network: no list is ever fetched, and nothing
is cached on disk). A host that is an IP address, or that has no public suffix
(`localhost`), is its own domain. A value without a host (empty, or not a URL, e.g. with spaces) has none.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from dbom.profile.extra import require

_NAME = r"[^/?#:\s\[\]@]"
_HOST = (r"^\s*(?:(?:[A-Za-z][A-Za-z0-9+.\-]*://|//)(?:[^/?#@\s]*@)?(?P<host>\[[0-9A-Fa-f:.]+\]|" + _NAME + r"+)"
         r"|(?:[^/?#@\s]*@)?(?P<bare>" + _NAME + r"+\." + _NAME + r"+))(?:[/?#:]|$)")
# Hosts already resolved in this process; cleared when full, so memory stays bounded.
_CACHE_LIMIT = 1 << 18


class DomainResolver:
    """URLs to registered domains, with a bounded cache of hosts already seen."""

    def __init__(self) -> None:
        tldextract = require("tldextract")
        self._extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)
        self._cache: dict[str, str] = {}

    def domain_of_host(self, host: str) -> str:
        """The registered domain of a lower-case host (the host itself for an IP address or no suffix)."""
        domain = self._cache.get(host)
        if domain is None:
            domain = self._resolve(host)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[host] = domain
        return domain

    def _resolve(self, host: str) -> str:
        bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        try:
            ipaddress.ip_address(bare)
            return bare
        except ValueError:
            pass
        parts = self._extract(host)
        domain = getattr(parts, "top_domain_under_public_suffix", None)  # tldextract >= 5.3; before, its old name
        return (domain if domain is not None else parts.registered_domain) or host

    def domains(self, urls: Any) -> tuple[list[str], Any]:
        """For an Arrow string array of URLs: the distinct domains, and per URL the index of its domain (-1: none).

        The indices are a numpy int64 array as long as `urls`.
        """
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        parts = pc.extract_regex(urls, _HOST)
        hosts = pc.coalesce(pc.if_else(pc.equal(pc.struct_field(parts, [0]), ""), None, pc.struct_field(parts, [0])),
                            pc.struct_field(parts, [1]))
        hosts = pc.utf8_rtrim(pc.utf8_lower(hosts), characters=".")
        encoded = hosts.dictionary_encode()
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        names: list[str] = []
        position: dict[str, int] = {}
        mapping = np.full(len(encoded.dictionary) + 1, -1, dtype=np.int64)
        for slot, host in enumerate(encoded.dictionary.to_pylist()):
            if not host:
                continue
            domain = self.domain_of_host(host)
            index = position.get(domain)
            if index is None:
                index = position[domain] = len(names)
                names.append(domain)
            mapping[slot] = index
        indices = encoded.indices.fill_null(len(encoded.dictionary)).to_numpy(zero_copy_only=False)
        return names, mapping[indices.astype(np.int64)]
