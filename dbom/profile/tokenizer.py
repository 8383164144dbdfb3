"""Token counts by the model's own tokenizer: a `tokenizer.json` read by the `tokenizers` library, never downloaded.

The tokenizer is named by the file it was read from (a `tokenizer.json`, or a model folder holding one): its
name is the folder's name (the file's, when it is not called `tokenizer.json`) and its identity the file's
SHA-256. Tokens are counted without the special tokens a model adds around a sequence (`add_special_tokens`
is False): they are the tokens of the text itself, as `Tokenizer.encode_batch` gives them. The file is read
once and the same bytes are hashed and parsed (`Tokenizer.from_str`), so the SHA-256 is that of the tokenizer
that counted.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dbom.errors import DbomError
from dbom.profile.extra import require

TOKENIZER_FILE = "tokenizer.json"


class TokenCounter:
    """A tokenizer read from disk, with its name and SHA-256, that counts the tokens of texts."""

    def __init__(self, tokenizer: Any, name: str, sha256: str) -> None:
        self.tokenizer = tokenizer
        self.name = name
        self.sha256 = sha256

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> TokenCounter:
        """Read a `tokenizer.json` file, or the one in a model folder; a one-line DbomError when it cannot."""
        tokenizers = require("tokenizers")
        given = Path(path)
        file = given / TOKENIZER_FILE if given.is_dir() else given
        if not file.is_file():
            cause = f"no {TOKENIZER_FILE} in this folder" if given.is_dir() else "no such tokenizer file"
            raise DbomError(str(given), cause)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise DbomError(str(file), exc.strerror or str(exc)) from None
        try:
            tokenizer = tokenizers.Tokenizer.from_str(data.decode("utf-8"))
        except Exception as exc:  # tokenizers raises a bare Exception on a malformed file
            raise DbomError(str(file), f"not a tokenizers tokenizer.json: {exc}") from None
        name = file.parent.resolve().name if file.name == TOKENIZER_FILE else file.name
        return cls(tokenizer, name, hashlib.sha256(data).hexdigest())

    @classmethod
    def from_object(cls, tokenizer: Any) -> TokenCounter:
        """A `tokenizers.Tokenizer`, or a `transformers` fast tokenizer (its `backend_tokenizer`), in memory.

        It is named by its `name_or_path` (the last part), else "tokenizer", and its SHA-256 is of its
        JSON serialisation (`to_str()`), which is what a `tokenizer.json` holds.
        """
        backend = getattr(tokenizer, "backend_tokenizer", tokenizer)
        to_str = getattr(backend, "to_str", None)
        if to_str is None:
            raise DbomError(None, f"cannot count tokens with a {type(tokenizer).__name__}: give a tokenizers "
                                  "Tokenizer, a transformers fast tokenizer, or a tokenizer.json path")
        text = to_str()
        name = str(getattr(tokenizer, "name_or_path", "") or "").rstrip("/").rsplit("/", 1)[-1] or "tokenizer"
        return cls(backend, name, hashlib.sha256(text.encode("utf-8")).hexdigest())

    def identity(self) -> dict[str, str]:
        """What a DBOM records of the tokenizer: its name and the SHA-256 of its file."""
        return {"name": self.name, "sha256": self.sha256}

    def count(self, texts: Sequence[str]) -> list[int]:
        """The number of tokens of each text, by one batch encode."""
        if not texts:
            return []
        encode = getattr(self.tokenizer, "encode_batch_fast", None) or self.tokenizer.encode_batch  # fast: 0.20+
        encodings = encode(list(texts), add_special_tokens=False)
        return [len(encoding) for encoding in encodings]
