"""Fixtures of the profile tests: a tiny tokenizer.json, trained here on the tests' own text (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest
from profile_texts import train_tokenizer


@pytest.fixture(scope="session")
def tokenizer_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A BPE tokenizer.json in a model folder named `tiny-lm`."""
    return train_tokenizer(tmp_path_factory.mktemp("models") / "tiny-lm")
