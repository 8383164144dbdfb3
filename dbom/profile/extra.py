"""The `dbom[profile]` extra: its libraries imported when first used, or a one-line error that names the extra."""

from __future__ import annotations

import importlib
from types import ModuleType

from dbom.errors import DbomError

EXTRA = "dbom[profile]"


class MissingExtraError(DbomError):
    """The content profile was asked for but a library of the `dbom[profile]` extra is not installed."""


def installed() -> bool:
    """Whether the libraries `--profile sample` needs (pycld2, tldextract) can be imported."""
    try:
        for module in ("pycld2", "tldextract"):
            importlib.import_module(module)
    except ImportError:
        return False
    return True


def require(module: str) -> ModuleType:
    """Import `module` (pycld2, tldextract or tokenizers), or raise MissingExtraError naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(None, f"the content profile needs the {EXTRA} extra ({module} is not installed): "
                                      f"pip install '{EXTRA}'") from None
