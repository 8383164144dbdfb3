"""A license as a person states it in the manifest, brought to its SPDX form, or refused."""

from __future__ import annotations

import functools
import re

from dbom.model import NOASSERTION

_REFS = ("LicenseRef-", "DocumentRef-")


def stated_license(text: str) -> str:
    """The SPDX form of a license written in a manifest; ValueError when it is none of what is accepted.

    Accepted: an SPDX id or expression in any case (`cc-by-4.0` is `CC-BY-4.0`, `mit OR apache-2.0` is
    `MIT OR Apache-2.0`), a Hugging Face license id, a `LicenseRef-...` (also inside an expression),
    and the title of a common license (`MIT License`, `Apache License 2.0`, `Creative Commons
    Attribution 4.0 International`).
    """
    raw = " ".join(text.split())
    if not raw:
        raise ValueError("an empty license")
    from dbom.licensing.hf_licenses import hf_license

    stated = hf_license(raw)
    if stated.expression != NOASSERTION:
        return stated.expression
    expression = _expression(raw)
    if expression is not None:
        return expression
    titled = _titles().get(_title_key(raw))
    if titled is not None:
        return titled
    raise ValueError(f"{raw!r} is not an SPDX license id or expression, a known license name, nor a "
                     "LicenseRef-... (write e.g. CC-BY-4.0, MIT OR Apache-2.0, LicenseRef-my-terms)")


def _expression(raw: str) -> str | None:
    """`raw` as an SPDX expression whose every key is known or a `LicenseRef-`, rendered; None otherwise."""
    from license_expression import ExpressionError, get_spdx_licensing

    licensing = get_spdx_licensing()
    try:
        parsed = licensing.parse(raw)
    except ExpressionError:
        return None
    if parsed is None or any(not key.startswith(_REFS) for key in licensing.unknown_license_keys(parsed)):
        return None
    return str(parsed.render())


def _title_key(title: str) -> str:
    """A license title without case, punctuation or the words that vary between its spellings."""
    words = re.sub(r"[^a-z0-9.+]+", " ", title.lower()).split()
    return " ".join(w for w in words if w not in ("license", "licence", "public", "international", "the", "version"))


@functools.cache
def _titles() -> dict[str, str]:
    """Each SPDX License List title (the `spdx` package's, bundled), by `_title_key`, to its id."""
    import spdx

    titles: dict[str, str] = {}
    for entry in spdx.licenses():
        key = _title_key(entry.get("name") or "")
        if key and entry.get("id"):
            titles.setdefault(key, entry["id"])
    return titles
